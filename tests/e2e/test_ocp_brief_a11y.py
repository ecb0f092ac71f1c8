"""axe reports no violation on the published OCP final brief (charts, tables,
CSV links), in English and in Arabic (right to left), at desktop and phone width."""

import pytest
from django.utils import timezone

from ocp.enums import OcpStatus
from ocp.models import FinalBrief
from tests import factories
from tests.e2e.a11y import axe_report
from tests.e2e.conftest import DESKTOP, PHONE
from tests.ocp.factories import (
    ContributionFactory,
    ExhibitionRequestFactory,
    HltfNominationFactory,
    SpeakerFactory,
    SpeakerRecommendationFactory,
    WorkshopRequestFactory,
)
from wsis_portal.editions.enums import CallKind
from wsis_portal.reference.models import (
    ActionLine,
    Region,
    SessionFormat,
    StakeholderType,
    SustainableDevelopmentGoal,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def published_brief(tenant):
    edition = factories.EditionFactory(tenant=tenant, year=2031, title="WSIS Forum 2031")
    calls = {
        kind: factories.CallFactory(edition=edition, kind=kind)
        for kind in [CallKind.OCP_CONTRIBUTION, CallKind.WORKSHOP, CallKind.EXHIBITION, CallKind.SPEAKER, CallKind.HLTF]
    }
    africa = Region.objects.get(name="Africa")
    africa.countries = ["KE", "SN"]
    africa.save()
    owners = []
    for index, (type_slug, country) in enumerate([("civil-society", "KE"), ("government", "SN"), ("academia", "CH")]):
        organisation = factories.OrganisationFactory(
            name=f"Organisation {index}", stakeholder_type=StakeholderType.objects.get(slug=type_slug), country=country
        )
        owners.append(factories.UserFactory(email=f"owner{index}@example.org", organisation=organisation))
    track = factories.TrackFactory(edition=edition, name="ICTs and Youth")
    lines = list(ActionLine.objects.order_by("position")[:3])
    goals = list(SustainableDevelopmentGoal.objects.order_by("number")[:3])
    formats = list(SessionFormat.objects.order_by("position")[:2])
    for index, owner in enumerate(owners):
        contribution = ContributionFactory(
            call=calls[CallKind.OCP_CONTRIBUTION], owner=owner, status=OcpStatus.SUBMITTED
        )
        contribution.action_lines.set(lines[: index + 1])
        contribution.sdgs.set(goals[: index + 1])
        workshop = WorkshopRequestFactory(
            call=calls[CallKind.WORKSHOP],
            owner=owner,
            status=OcpStatus.ACCEPTED,
            session_format=formats[index % 2],
            track=track if index else None,
            binding_request=index == 0,
        )
        for gender in ["female", "male", ""][: index + 1]:
            SpeakerFactory(workshop=workshop, gender=gender)
    ExhibitionRequestFactory(call=calls[CallKind.EXHIBITION], owner=owners[0], status=OcpStatus.SUBMITTED)
    SpeakerRecommendationFactory(call=calls[CallKind.SPEAKER], owner=owners[1], status=OcpStatus.SUBMITTED)
    HltfNominationFactory(call=calls[CallKind.HLTF], owner=owners[2], status=OcpStatus.SUBMITTED)
    return FinalBrief.objects.create(
        edition=edition,
        introduction="What stakeholders told us.\n\nAnd what the forum made of it.",
        published_at=timezone.now(),
    )


@pytest.mark.parametrize("language", ["en", "ar"])
def test_brief_page_has_no_axe_violations(new_context, choose_language, published_brief, language):
    context = new_context()
    choose_language(context, language)
    page = context.new_page()
    problems = []

    page.set_viewport_size(DESKTOP)
    response = page.goto("/wsis/ocp/brief/")
    assert response.status == 200
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("main h1").count() == 1
    assert page.locator("main figure svg[role=img]").count() == 10
    assert page.locator("main table caption").count() == 10
    for width, viewport in [("desktop", DESKTOP), ("phone", PHONE)]:
        page.set_viewport_size(viewport)
        report = axe_report(page)
        if report:
            problems.append(f"[brief-{language}, {width}] {report}")
    assert not problems, "\n".join(problems)


def test_brief_bars_grow_from_the_right_in_arabic(new_context, choose_language, published_brief):
    context = new_context()
    choose_language(context, "ar")
    page = context.new_page()
    page.goto("/wsis/ocp/brief/")

    chart = page.locator("#brief-kinds svg")
    box = chart.bounding_box()
    bar = chart.locator("rect").first.bounding_box()
    label = chart.locator("text").first.bounding_box()

    # The bar ends at the chart's right edge, and its label is right-aligned.
    assert abs(bar["x"] + bar["width"] - (box["x"] + box["width"])) < 1
    assert abs(label["x"] + label["width"] - (box["x"] + box["width"])) < 2
