"""The OCP entries in the admin: listed for the tenant's staff, with a fixed
number of queries however many rows."""

import pytest
from django.urls import reverse

from ocp.models import OCP_MODELS
from tests.ocp.factories import FACTORY_BY_MODEL, SpeakerFactory

# Measured: 20 to 24 queries (by model: list filters on Action Lines, SDGs,
# formats and tracks add one each) with 1 and with 50 rows.
QUERY_LIMIT = 24


@pytest.mark.parametrize("rows", [1, 50])
@pytest.mark.parametrize("model", OCP_MODELS, ids=lambda model: model.__name__)
def test_changelist_query_count(model, rows, calls, author, manager, admin_client_for, django_assert_max_num_queries):
    call = calls[model.call_kind]
    for _index in range(rows):
        entry = FACTORY_BY_MODEL[model](call=call, owner=author)
        if model.url_kind == "workshop":
            SpeakerFactory(workshop=entry)
    client = admin_client_for(manager)
    url = reverse(f"admin:ocp_{model._meta.model_name}_changelist")

    with django_assert_max_num_queries(QUERY_LIMIT):
        response = client.get(url)

    assert response.status_code == 200
    assert response.context["cl"].result_count == rows


def test_workshop_change_page_shows_speakers(calls, author, manager, admin_client_for):
    from tests.ocp.factories import WorkshopRequestFactory

    workshop = WorkshopRequestFactory(call=calls["workshop"], owner=author, title="Youth online")
    SpeakerFactory(workshop=workshop, name="Ana Pérez")
    client = admin_client_for(manager)

    response = client.get(reverse("admin:ocp_workshoprequest_change", args=[workshop.pk]))

    assert response.status_code == 200
    assert "Ana Pérez" in response.content.decode()
