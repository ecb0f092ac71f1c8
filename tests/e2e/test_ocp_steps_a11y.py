# ruff: noqa: F811  (fixtures imported from another test module are used as parameters)
"""axe reports no violation on every page a stakeholder meets in the OCP: the
overview, every step of the five kinds of entry, each entry's review page and
"My submissions" - in English at desktop width and in Arabic at phone width."""

import pytest

from ocp.forms import steps_for
from ocp.models import OCP_MODELS
from tests.e2e.a11y import axe_report
from tests.e2e.conftest import DESKTOP, PHONE
from tests.e2e.test_ocp_journey import author, ocp_edition  # noqa: F401
from tests.ocp.factories import FACTORY_BY_MODEL, CoordinationMechanismFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def drafts(ocp_edition, author):
    # The author's organisation is a recognised mechanism: the HLTF steps open to them.
    CoordinationMechanismFactory(
        tenant=ocp_edition.tenant, name="Civil Society Coordination Group", organisations=[author.organisation]
    )
    calls = {call.kind: call for call in ocp_edition.calls.all()}
    return [FACTORY_BY_MODEL[model](call=calls[model.call_kind], owner=author) for model in OCP_MODELS]


@pytest.mark.parametrize(("language", "viewport"), [("en", DESKTOP), ("ar", PHONE)], ids=["en-desktop", "ar-phone"])
def test_every_ocp_page_of_a_stakeholder_has_no_axe_violations(
    new_context,
    login_as,
    choose_language,
    drafts,
    author,
    language,
    viewport,
):
    context = new_context(viewport=viewport)
    choose_language(context, language)
    login_as(context, author)
    page = context.new_page()
    paths = [("overview", "/wsis/ocp/"), ("my-submissions", "/wsis/my-submissions/")]
    for entry in drafts:
        for step in steps_for(type(entry)):
            paths.append((f"{entry.url_kind}/{step.key}", f"/wsis/ocp/{entry.url_kind}/{entry.pk}/steps/{step.key}/"))
        paths.append((f"{entry.url_kind}/review", f"/wsis/ocp/{entry.url_kind}/{entry.pk}/"))

    problems = []
    for name, path in paths:
        response = page.goto(path)
        assert response.status == 200, name
        assert page.locator("html").get_attribute("lang") == language, name
        report = axe_report(page)
        if report:
            problems.append(f"[{name}] {report}")
    assert not problems, "\n".join(problems)
