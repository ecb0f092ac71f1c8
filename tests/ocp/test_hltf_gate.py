"""HLTF nominations are for members of a recognised stakeholder coordination
mechanism: the gate on start and on submit (crafted requests included), the
mechanism step's choices, and the overview's explanation. The clock stands at
20 January 2021 (tests/ocp/conftest.py)."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from ocp import services
from ocp.enums import OcpStatus
from ocp.models import HltfNomination
from tests import factories
from tests.ocp.conftest import make_ocp_edition
from tests.ocp.factories import CoordinationMechanismFactory, HltfNominationFactory
from wsis_portal.editions.services import SubmissionError
from wsis_portal.reference.models import StakeholderType

NOT_A_MEMBER = (
    "Only members of a recognised stakeholder coordination mechanism may nominate a High-Level Track "
    "Facilitator. If your organisation belongs to one, please contact the secretariat."
)


@pytest.fixture
def mechanism(tenant, author):
    return CoordinationMechanismFactory(
        tenant=tenant,
        name="Civil Society Coordination Group",
        stakeholder_type=StakeholderType.objects.get(slug="civil-society"),
        organisations=[author.organisation],
    )


@pytest.fixture
def academia(tenant, author):
    """A second mechanism of the author's organisation, of another stakeholder type."""
    return CoordinationMechanismFactory(
        tenant=tenant,
        name="Academic Network",
        stakeholder_type=StakeholderType.objects.get(slug="academia"),
        organisations=[author.organisation],
    )


def _start_url(call):
    return reverse("ocp:start", kwargs={"tenant_slug": call.edition.tenant.slug, "call_id": call.pk})


def _url(name, entry, **kwargs):
    return reverse(
        f"ocp:{name}", kwargs={"tenant_slug": entry.tenant.slug, "kind": entry.url_kind, "pk": entry.pk, **kwargs}
    )


def _messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def _complete(call, owner, **fields):
    values = {
        "nominating_stakeholder_type": StakeholderType.objects.get(slug="civil-society"),
        "mechanism": "Civil Society Coordination Group",
        "nominee_name": "Amina Diallo",
        "nominee_title": "Director",
        "nominee_organisation": "Internet Society",
        "nominee_country": "SN",
        "nominee_gender": "female",
        "nominee_email": "amina@example.org",
        "biography": "Twenty years of community networks.",
        "languages": "French, English",
        **fields,
    }
    return HltfNominationFactory(call=call, owner=owner, **values)


# --- start -----------------------------------------------------------------------------


def test_member_of_a_mechanism_starts_a_nomination(client, calls, author, mechanism):
    client.force_login(author)

    response = client.post(_start_url(calls["hltf"]))

    nomination = HltfNomination.objects.get()
    assert (response.status_code, response["Location"]) == (302, _url("step", nomination, step="mechanism"))
    assert (nomination.owner, nomination.organisation) == (author, author.organisation)


def test_start_without_a_mechanism_is_refused_with_a_message(client, calls, author):
    client.force_login(author)

    response = client.post(_start_url(calls["hltf"]), follow=True)

    assert HltfNomination.objects.count() == 0
    assert response.redirect_chain == [(reverse("ocp:overview", kwargs={"tenant_slug": "wsis"}), 302)]
    assert _messages(response) == [NOT_A_MEMBER]


def test_mechanism_of_another_tenant_does_not_count(client, calls, author, other_tenant):
    CoordinationMechanismFactory(tenant=other_tenant, name="Elsewhere", organisations=[author.organisation])
    client.force_login(author)

    client.post(_start_url(calls["hltf"]))

    assert HltfNomination.objects.count() == 0
    with pytest.raises(SubmissionError, match="Only members of a recognised"):
        services.entry_start(model=HltfNomination, call=calls["hltf"], by=author)


def test_mechanism_without_the_organisation_does_not_count(calls, author, other_author, tenant):
    CoordinationMechanismFactory(tenant=tenant, organisations=[other_author.organisation])

    with pytest.raises(SubmissionError, match="Only members of a recognised"):
        services.entry_start(model=HltfNomination, call=calls["hltf"], by=author)


def test_other_calls_need_no_mechanism(client, calls, author):
    client.force_login(author)

    response = client.post(_start_url(calls["speaker"]))

    assert response.status_code == 302
    assert "/speaker/" in response["Location"]


# --- submit ------------------------------------------------------------------------------


def test_member_submits_a_complete_nomination(client, calls, author, mechanism):
    nomination = _complete(calls["hltf"], author)
    client.force_login(author)

    client.post(_url("submit", nomination))

    stored = HltfNomination.objects.get(pk=nomination.pk)
    assert stored.status == OcpStatus.SUBMITTED
    assert stored.reference == "HLTF-2021-00001"


def test_submit_of_a_non_member_is_refused_even_with_a_crafted_post(client, calls, author):
    # The draft exists (made before, or by hand) and is complete; the POST goes straight to submit.
    nomination = _complete(calls["hltf"], author)
    client.force_login(author)

    response = client.post(_url("submit", nomination), follow=True)

    assert HltfNomination.objects.get(pk=nomination.pk).status == OcpStatus.DRAFT
    assert _messages(response) == [NOT_A_MEMBER]


def test_submit_refused_once_the_organisation_left_the_mechanism(calls, author, mechanism):
    nomination = _complete(calls["hltf"], author)
    mechanism.organisations.clear()

    with pytest.raises(SubmissionError, match="Only members of a recognised"):
        services.entry_submit(entry=nomination, by=author)
    assert HltfNomination.objects.get(pk=nomination.pk).status == OcpStatus.DRAFT


def test_submit_refused_on_behalf_of_a_mechanism_the_organisation_is_not_in(calls, author, mechanism, tenant):
    CoordinationMechanismFactory(tenant=tenant, name="Private Sector Forum")
    nomination = _complete(calls["hltf"], author, mechanism="Private Sector Forum")

    with pytest.raises(SubmissionError, match="“Private Sector Forum” is not a coordination mechanism"):
        services.entry_submit(entry=nomination, by=author)
    assert HltfNomination.objects.get(pk=nomination.pk).status == OcpStatus.DRAFT


def test_submit_with_a_mechanism_of_another_tenant_is_refused(calls, author, other_tenant):
    CoordinationMechanismFactory(
        tenant=other_tenant, name="Civil Society Coordination Group", organisations=[author.organisation]
    )
    nomination = _complete(calls["hltf"], author)

    with pytest.raises(SubmissionError, match="Only members of a recognised"):
        services.entry_submit(entry=nomination, by=author)


def test_resubmission_is_gated_too(calls, author):
    nomination = _complete(calls["hltf"], author, status=OcpStatus.CHANGES_REQUESTED, reference="HLTF-2021-00007")

    with pytest.raises(SubmissionError, match="Only members of a recognised"):
        services.entry_submit(entry=nomination, by=author)
    assert HltfNomination.objects.get(pk=nomination.pk).status == OcpStatus.CHANGES_REQUESTED


# --- the mechanism step ------------------------------------------------------------------


@pytest.fixture
def draft(calls, author):
    return HltfNominationFactory(call=calls["hltf"], owner=author, nominee_name="")


def test_mechanism_step_offers_the_organisations_mechanisms_only(
    client, draft, author, mechanism, academia, tenant, other_tenant, other_author
):
    CoordinationMechanismFactory(tenant=tenant, name="Not ours", organisations=[other_author.organisation])
    CoordinationMechanismFactory(tenant=other_tenant, name="Other tenant's", organisations=[author.organisation])
    client.force_login(author)

    response = client.get(_url("step", draft, step="mechanism"))

    form = response.context["form"]
    assert list(form.fields["mechanism"].choices) == [
        ("Academic Network", "Academic Network (Academia)"),
        ("Civil Society Coordination Group", "Civil Society Coordination Group (Civil Society)"),
    ]
    assert "nominating_stakeholder_type" not in form.fields
    content = response.content.decode()
    assert "<legend" in content  # a group of radio buttons, named by its legend
    assert 'type="radio" class="form-check-input"  name="mechanism" value="Academic Network"' in content
    assert "Not ours" not in content and "Other tenant" not in content


def test_choosing_a_mechanism_sets_the_stakeholder_type(client, draft, author, mechanism, academia):
    client.force_login(author)

    response = client.post(_url("step", draft, step="mechanism"), {"mechanism": "Academic Network", "action": "save"})

    assert response.status_code == 302
    stored = HltfNomination.objects.get(pk=draft.pk)
    assert (stored.mechanism, stored.nominating_stakeholder_type.slug) == ("Academic Network", "academia")

    client.post(
        _url("step", draft, step="mechanism"), {"mechanism": "Civil Society Coordination Group", "action": "save"}
    )
    stored = HltfNomination.objects.get(pk=draft.pk)
    assert (stored.mechanism, stored.nominating_stakeholder_type.slug) == (
        "Civil Society Coordination Group",
        "civil-society",
    )


def test_crafted_mechanism_is_refused_next_to_the_field(client, draft, author, mechanism, tenant):
    CoordinationMechanismFactory(tenant=tenant, name="Private Sector Forum")
    client.force_login(author)

    response = client.post(
        _url("step", draft, step="mechanism"),
        {"mechanism": "Private Sector Forum", "nominating_stakeholder_type": 1, "action": "save"},
    )

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["mechanism"]
    content = response.content.decode()
    assert "Select a valid choice." in content
    assert 'aria-invalid="true"' in content or "is-invalid" in content
    stored = HltfNomination.objects.get(pk=draft.pk)
    assert (stored.mechanism, stored.nominating_stakeholder_type) == ("", None)


def test_autosave_of_the_mechanism_step(client, draft, author, mechanism):
    client.force_login(author)

    response = client.post(_url("autosave", draft, step="mechanism"), {"mechanism": "Civil Society Coordination Group"})

    assert response.json()["fields"] == ["mechanism", "nominating_stakeholder_type"]
    stored = HltfNomination.objects.get(pk=draft.pk)
    assert stored.nominating_stakeholder_type.slug == "civil-society"


def test_existing_draft_with_typed_mechanism_still_opens(client, calls, author, mechanism):
    old = HltfNominationFactory(
        call=calls["hltf"],
        owner=author,
        mechanism="Our own words",
        nominating_stakeholder_type=StakeholderType.objects.get(slug="government"),
    )
    client.force_login(author)

    step = client.get(_url("step", old, step="mechanism"))
    review = client.get(_url("review", old))

    assert (step.status_code, review.status_code) == (200, 200)
    assert "Your draft names “Our own words”" in step.content.decode()
    assert "Our own words" in review.content.decode()
    # Saving another step leaves the typed mechanism alone.
    client.post(_url("step", old, step="nominee"), {"nominee_name": "Ana", "action": "save"})
    assert HltfNomination.objects.get(pk=old.pk).mechanism == "Our own words"


def test_mechanism_step_without_any_mechanism_explains(client, draft, author):
    client.force_login(author)

    response = client.get(_url("step", draft, step="mechanism"))

    assert response.status_code == 200
    assert "belongs to no recognised stakeholder coordination mechanism" in response.content.decode()


# --- the overview --------------------------------------------------------------------------


def test_overview_explains_the_hltf_call(client, edition):
    response = client.get(reverse("ocp:overview", kwargs={"tenant_slug": "wsis"}))

    content = response.content.decode()
    assert content.count(NOT_A_MEMBER) == 1
    hltf_card = content[content.index(f'id="call-{edition.calls.get(kind="hltf").pk}"') :]
    assert NOT_A_MEMBER in hltf_card.split("</section>")[0]


def _hltf_card(response, edition) -> str:
    content = response.content.decode()
    return content[content.index(f'id="call-{edition.calls.get(kind="hltf").pk}"') :].split("</section>")[0]


def test_overview_offers_the_nomination_to_members_only(client, edition, author, mechanism):
    client.force_login(author)
    url = reverse("ocp:overview", kwargs={"tenant_slug": "wsis"})

    member_card = _hltf_card(client.get(url), edition)
    assert "Start a new draft" in member_card
    assert NOT_A_MEMBER not in member_card

    mechanism.organisations.clear()
    other_card = _hltf_card(client.get(url), edition)
    assert "Start a new draft" not in other_card  # no button that the server would refuse
    assert NOT_A_MEMBER in other_card


def test_gate_of_another_tenant_edition(client, other_tenant, author):
    # A member of this tenant's mechanism only: the other tenant's call is closed to them.
    other_call = make_ocp_edition(other_tenant).calls.get(kind="hltf")
    CoordinationMechanismFactory(tenant=factories.TenantFactory(slug="third"), organisations=[author.organisation])

    with pytest.raises(SubmissionError, match="Only members of a recognised"):
        services.entry_start(model=HltfNomination, call=other_call, by=author)
