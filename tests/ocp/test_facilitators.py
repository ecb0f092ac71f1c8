"""Selected High-Level Track Facilitators: assignment to High-Level Policy
Sessions (the service and the session admin's inline), and the public pages
that list them (the facilitators page, a session's page, the agenda). The
clock stands at 20 January 2021 (tests/ocp/conftest.py)."""

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from ocp.enums import OcpStatus
from ocp.facilitators import HIGH_LEVEL_POLICY_SESSION, FacilitatorError, facilitator_assign
from ocp.models import Session, SessionFacilitator
from tests.ocp.conftest import make_ocp_edition
from tests.ocp.factories import HltfNominationFactory
from wsis_portal.reference.models import SessionFormat

GENEVA = zoneinfo.ZoneInfo("Europe/Zurich")
STARTS = dt.datetime(2021, 5, 18, 10, 0, tzinfo=GENEVA)


@pytest.fixture
def high_level():
    return SessionFormat.objects.get(name=HIGH_LEVEL_POLICY_SESSION)


@pytest.fixture
def other_format():
    return SessionFormat.objects.exclude(name=HIGH_LEVEL_POLICY_SESSION).order_by("pk").first()


def make_session(edition, **fields):
    index = fields.pop("index", 0)
    values = {
        "title": "Policy session",
        "starts_at": STARTS + dt.timedelta(hours=index),
        "ends_at": STARTS + dt.timedelta(hours=index, minutes=45),
        "is_published": True,
        **fields,
    }
    return Session.objects.create(edition=edition, **values)


def make_facilitator(edition, **fields):
    call = edition.calls.get(kind="hltf")
    values = {
        "status": OcpStatus.ACCEPTED,
        "nominee_title": "Minister of ICT",
        "nominee_organisation": "Ministry of ICT",
        "nominee_country": "KE",
        "biography": "Led the national broadband plan.",
        **fields,
    }
    return HltfNominationFactory(call=call, **values)


@pytest.fixture
def session(edition, high_level):
    return make_session(edition, title="Bridging the digital divide", session_format=high_level)


@pytest.fixture
def selected(edition):
    return make_facilitator(edition, nominee_name="Grace Wanjiru", reference="HLTF-2021-00001")


# --- the service -----------------------------------------------------------------------


def test_assign_a_selected_facilitator(session, selected, manager, edition):
    second = make_facilitator(edition, nominee_name="Luis Pérez")

    first_assignment = facilitator_assign(session, selected, by=manager)
    second_assignment = facilitator_assign(session, second, by=manager)
    again = facilitator_assign(session, selected, by=manager)

    assert again.pk == first_assignment.pk
    assert [(item.nomination.nominee_name, item.position) for item in session.facilitators.all()] == [
        ("Grace Wanjiru", 0),
        ("Luis Pérez", 1),
    ]
    assert second_assignment.position == 1


@pytest.mark.parametrize(
    "status",
    [OcpStatus.DRAFT, OcpStatus.SUBMITTED, OcpStatus.UNDER_REVIEW, OcpStatus.REJECTED, OcpStatus.WITHDRAWN],
)
def test_assign_refuses_a_nomination_not_accepted(session, edition, manager, status):
    nomination = make_facilitator(edition, nominee_name="Ana", status=status)

    with pytest.raises(FacilitatorError, match="only accepted nominations can be assigned"):
        facilitator_assign(session, nomination, by=manager)
    assert not SessionFacilitator.objects.exists()


def test_assign_refuses_a_nomination_of_another_edition(session, tenant, manager):
    older = make_facilitator(make_ocp_edition(tenant, year=2020), nominee_name="Last year")

    with pytest.raises(FacilitatorError, match="another edition"):
        facilitator_assign(session, older, by=manager)
    assert not SessionFacilitator.objects.exists()


def test_assign_refuses_a_nomination_of_another_tenant(session, other_tenant, manager, operator):
    theirs = make_facilitator(make_ocp_edition(other_tenant), nominee_name="Theirs")

    with pytest.raises(FacilitatorError, match="You may not assign"):
        facilitator_assign(session, theirs, by=manager)
    # Not even a platform operator mixes tenants.
    with pytest.raises(FacilitatorError, match="another edition"):
        facilitator_assign(session, theirs, by=operator)
    assert not SessionFacilitator.objects.exists()


def test_assign_refuses_a_session_of_another_format(edition, selected, manager, other_format):
    workshop_session = make_session(edition, session_format=other_format)
    without_format = make_session(edition, title="No format yet")

    for target in (workshop_session, without_format):
        with pytest.raises(FacilitatorError, match="High-Level Policy Session"):
            facilitator_assign(target, selected, by=manager)
    assert not SessionFacilitator.objects.exists()


@pytest.mark.parametrize("persona", ["viewer", "reviewer", "other_manager", "stakeholder"])
def test_assign_needs_a_manager_of_the_tenant(session, selected, persona, request):
    with pytest.raises(FacilitatorError, match="You may not assign"):
        facilitator_assign(session, selected, by=request.getfixturevalue(persona))
    assert not SessionFacilitator.objects.exists()


# --- the session admin's inline -----------------------------------------------------------


def _change_url(session):
    return reverse("admin:ocp_session_change", args=[session.pk])


def _local(moment):
    local = timezone.localtime(moment)
    return local.strftime("%Y-%m-%d"), local.strftime("%H:%M:%S")


def _session_post(session, nominations=(), **changes):
    starts, ends = _local(session.starts_at), _local(session.ends_at)
    data = {
        "edition": session.edition_id,
        "title": session.title,
        "description": "",
        "starts_at_0": starts[0],
        "starts_at_1": starts[1],
        "ends_at_0": ends[0],
        "ends_at_1": ends[1],
        "room": "",
        "virtual_url": "",
        "session_format": session.session_format_id or "",
        "track": "",
        "language": "",
        "moderator": "",
        "moderator_organisation": "",
        "is_published": "on",
        "speakers-TOTAL_FORMS": 0,
        "speakers-INITIAL_FORMS": 0,
        "speakers-MIN_NUM_FORMS": 0,
        "speakers-MAX_NUM_FORMS": 1000,
        "facilitators-TOTAL_FORMS": len(nominations),
        "facilitators-INITIAL_FORMS": 0,
        "facilitators-MIN_NUM_FORMS": 0,
        "facilitators-MAX_NUM_FORMS": 1000,
        "_save": "Save",
        **changes,
    }
    for index, nomination in enumerate(nominations):
        data[f"facilitators-{index}-nomination"] = nomination.pk
        data[f"facilitators-{index}-position"] = index
    return data


def _inline_errors(response):
    """The facilitators' rows' errors: ``(errors of the row, [(field, errors), ...])``."""
    inline = next(item for item in response.context["inline_admin_formsets"] if item.formset.prefix == "facilitators")
    forms = inline.formset.forms
    row_errors = [str(error) for form in forms for error in form.non_field_errors()]
    field_errors = [(name, [str(e) for e in errors]) for form in forms for name, errors in form.errors.items()]
    return row_errors, field_errors


@pytest.fixture
def choices_setup(edition, tenant, other_tenant, selected):
    return {
        "submitted": make_facilitator(edition, nominee_name="Only submitted", status=OcpStatus.SUBMITTED),
        "rejected": make_facilitator(edition, nominee_name="Rejected one", status=OcpStatus.REJECTED),
        "older": make_facilitator(make_ocp_edition(tenant, year=2020), nominee_name="Last year's"),
        "theirs": make_facilitator(make_ocp_edition(other_tenant), nominee_name="Other tenant's"),
    }


def test_inline_offers_accepted_nominations_of_the_sessions_edition_only(
    session, selected, choices_setup, manager, admin_client_for
):
    response = admin_client_for(manager).get(_change_url(session))

    assert response.status_code == 200
    inline = next(item for item in response.context["inline_admin_formsets"] if item.formset.prefix == "facilitators")
    field = inline.formset.empty_form.fields["nomination"]
    assert list(field.queryset) == [selected]
    assert [label for value, label in field.choices if value] == ["Grace Wanjiru (HLTF-2021-00001)"]
    content = response.content.decode()
    for name in ["Only submitted", "Rejected one", "Last year", "Other tenant"]:
        assert name not in content, name


def test_inline_on_a_new_session_offers_accepted_nominations_of_the_tenant(
    selected, choices_setup, manager, admin_client_for
):
    response = admin_client_for(manager).get(reverse("admin:ocp_session_add"))

    inline = next(item for item in response.context["inline_admin_formsets"] if item.formset.prefix == "facilitators")
    names = {nomination.nominee_name for nomination in inline.formset.empty_form.fields["nomination"].queryset}
    assert names == {"Grace Wanjiru", "Last year's"}


def test_inline_assigns_a_selected_facilitator(session, selected, manager, admin_client_for):
    response = admin_client_for(manager).post(_change_url(session), _session_post(session, [selected]))

    assert response.status_code == 302, _inline_errors(response)
    assert [item.nomination for item in SessionFacilitator.objects.filter(session=session)] == [selected]


@pytest.mark.parametrize("which", ["submitted", "rejected", "older", "theirs"])
def test_inline_refuses_what_is_not_a_choice(session, choices_setup, which, manager, admin_client_for):
    response = admin_client_for(manager).post(_change_url(session), _session_post(session, [choices_setup[which]]))

    assert response.status_code == 200
    assert _inline_errors(response)[1] == [
        ("nomination", ["Select a valid choice. That choice is not one of the available choices."])
    ]
    assert not SessionFacilitator.objects.exists()


def test_inline_applies_the_services_rules_on_a_new_session(
    edition, selected, choices_setup, manager, admin_client_for
):
    # Before the session exists, every accepted nomination of the tenant is a
    # choice; the rules still refuse last year's facilitator.
    draft = Session(edition=edition, title="New session", starts_at=STARTS, ends_at=STARTS + dt.timedelta(hours=1))
    draft.session_format = SessionFormat.objects.get(name=HIGH_LEVEL_POLICY_SESSION)
    data = _session_post(draft, [choices_setup["older"]])

    response = admin_client_for(manager).post(reverse("admin:ocp_session_add"), data)

    assert response.status_code == 200
    assert _inline_errors(response)[0] == ["Last year's was nominated for another edition than this session's."]
    assert not Session.objects.filter(title="New session").exists()


def test_inline_warns_when_the_session_is_not_a_high_level_policy_session(
    edition, selected, other_format, manager, admin_client_for
):
    workshop_session = make_session(edition, session_format=other_format)

    response = admin_client_for(manager).post(
        _change_url(workshop_session), _session_post(workshop_session, [selected])
    )

    assert response.status_code == 200
    assert _inline_errors(response)[0] == [
        "Facilitators are assigned to sessions of the format “High-Level Policy Session”; "
        "change the session's format first."
    ]
    assert "change the session&#x27;s format first" in response.content.decode()
    assert not SessionFacilitator.objects.exists()


def test_changing_the_format_of_a_session_with_facilitators_is_refused(
    session, selected, other_format, manager, admin_client_for
):
    assignment = facilitator_assign(session, selected, by=manager)
    data = _session_post(session, session_format=other_format.pk)
    data.update(
        {
            "facilitators-TOTAL_FORMS": 1,
            "facilitators-INITIAL_FORMS": 1,
            "facilitators-0-id": assignment.pk,
            "facilitators-0-session": session.pk,
            "facilitators-0-nomination": selected.pk,
            "facilitators-0-position": 0,
        }
    )

    response = admin_client_for(manager).post(_change_url(session), data)

    assert response.status_code == 200
    assert len(_inline_errors(response)[0]) == 1
    assert Session.objects.get(pk=session.pk).session_format_id == session.session_format_id


# --- the public facilitators page ----------------------------------------------------------


def _page_url(tenant, **params):
    from urllib.parse import urlencode

    url = reverse("ocp:facilitators", kwargs={"tenant_slug": tenant.slug})
    return f"{url}?{urlencode(params)}" if params else url


def test_page_shows_the_selected_facilitators_with_their_sessions(client, tenant, edition, session, selected, manager):
    selected.photo = "ocp/hltf-photos/2021/grace.jpg"
    selected.save()
    facilitator_assign(session, selected, by=manager)
    hidden = make_session(edition, title="Not yet published", is_published=False, index=2)
    SessionFacilitator.objects.create(session=hidden, nomination=selected)
    without_photo = make_facilitator(edition, nominee_name="Luis Pérez", nominee_country="PE", biography="")
    make_facilitator(edition, nominee_name="Still in review", status=OcpStatus.UNDER_REVIEW)

    response = client.get(_page_url(tenant))

    assert response.status_code == 200
    assert [nominee.nominee_name for nominee in response.context["facilitators"]] == ["Grace Wanjiru", "Luis Pérez"]
    content = response.content.decode()
    for text in [
        '<img src="/media/ocp/hltf-photos/2021/grace.jpg" alt="Grace Wanjiru"',
        "Minister of ICT, Ministry of ICT",
        "Kenya",
        "Peru",
        "Led the national broadband plan.",
        f'href="{reverse("ocp:session", kwargs={"tenant_slug": "wsis", "pk": session.pk})}"',
        "Bridging the digital divide",
        "18 May 2021, 10:00 Geneva time (UTC+2)",
    ]:
        assert text in content, text
    assert "Not yet published" not in content
    assert "Still in review" not in content
    assert "hltf-nominee" not in content and "@example.org" not in content  # no email address
    # Without a photo: a decorative placeholder, no image.
    luis = content[content.index(f'id="facilitator-{without_photo.pk}"') :]
    assert luis.index('aria-hidden="true"') < luis.index("Luis Pérez")
    assert "<img" not in luis.split("</article>")[0]


def test_page_is_public_and_per_edition(client, tenant, edition, selected):
    older = make_ocp_edition(tenant, year=2020)
    make_facilitator(older, nominee_name="Last year's facilitator")

    now = client.get(_page_url(tenant))
    before = client.get(_page_url(tenant, edition=2020))

    assert [nominee.nominee_name for nominee in now.context["facilitators"]] == ["Grace Wanjiru"]
    assert [nominee.nominee_name for nominee in before.context["facilitators"]] == ["Last year's facilitator"]
    assert client.get(_page_url(tenant, edition=1999)).status_code == 404
    assert client.get(_page_url(tenant, edition="x")).status_code == 404


def test_page_never_shows_another_tenants_facilitators(client, tenant, edition, other_tenant, selected):
    other_edition = make_ocp_edition(other_tenant, year=2019)
    make_facilitator(other_edition, nominee_name="Other tenant's facilitator")

    ours = client.get(_page_url(tenant))

    assert "Other tenant" not in ours.content.decode()
    # Their edition's year does not exist here.
    assert client.get(_page_url(tenant, edition=2019)).status_code == 404
    assert client.get(_page_url(other_tenant, edition=2019)).status_code == 200


def test_page_without_facilitators_or_edition(client, tenant):
    assert "No edition has been published yet." in client.get(_page_url(tenant)).content.decode()
    make_ocp_edition(tenant)
    assert "No facilitator has been announced yet." in client.get(_page_url(tenant)).content.decode()


# Tenant, edition, the facilitators, their published sessions.
FACILITATORS_PAGE_QUERIES = 4


@pytest.mark.parametrize("count", [1, 50])
def test_page_query_count_is_constant(client, tenant, edition, high_level, django_assert_num_queries, count):
    for index in range(count):
        nomination = make_facilitator(edition, nominee_name=f"Facilitator {index:02d}")
        SessionFacilitator.objects.create(
            session=make_session(edition, title=f"Session {index}", session_format=high_level, index=index),
            nomination=nomination,
        )

    with django_assert_num_queries(FACILITATORS_PAGE_QUERIES):
        response = client.get(_page_url(tenant))

    assert len(response.context["facilitators"]) == count


# --- the agenda and a session's page ---------------------------------------------------------


def test_session_page_lists_its_facilitators(client, tenant, session, selected, edition, manager):
    facilitator_assign(session, selected, by=manager)
    facilitator_assign(session, make_facilitator(edition, nominee_name="Luis Pérez"), by=manager)

    content = client.get(reverse("ocp:session", kwargs={"tenant_slug": "wsis", "pk": session.pk})).content.decode()

    assert "High-Level Track Facilitators" in content
    assert content.index("Grace Wanjiru</a>, Minister of ICT, Ministry of ICT") < content.index("Luis Pérez")
    assert f"/wsis/ocp/facilitators/?edition=2021#facilitator-{selected.pk}" in content


def test_agenda_lists_the_facilitators_of_each_session(client, tenant, session, selected, edition, manager):
    facilitator_assign(session, selected, by=manager)
    make_session(edition, title="Without facilitators", index=3)

    content = client.get(reverse("ocp:agenda", kwargs={"tenant_slug": "wsis"})).content.decode()

    assert content.count("High-Level Track Facilitators:") == 1
    assert "High-Level Track Facilitators: Grace Wanjiru" in content


@pytest.mark.parametrize("count", [1, 50])
def test_session_page_query_count_with_facilitators(
    client, tenant, session, edition, manager, django_assert_num_queries, count
):
    for index in range(count):
        SessionFacilitator.objects.create(
            session=session, nomination=make_facilitator(edition, nominee_name=f"F {index}"), position=index
        )

    # Tenant, the session, Action Lines, SDGs, speakers, facilitators.
    with django_assert_num_queries(6):
        response = client.get(reverse("ocp:session", kwargs={"tenant_slug": "wsis", "pk": session.pk}))

    assert len(response.context["session"].facilitator_list) == count


def test_session_ics_names_the_facilitators(client, session, selected, manager):
    from icalendar import Calendar

    facilitator_assign(session, selected, by=manager)

    response = client.get(reverse("ocp:session_ics", kwargs={"tenant_slug": "wsis", "pk": session.pk}))

    [event] = Calendar.from_ical(response.content).walk("VEVENT")
    assert str(event["DESCRIPTION"]) == "High-Level Track Facilitators: Grace Wanjiru"
