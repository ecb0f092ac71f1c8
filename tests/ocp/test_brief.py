"""The OCP final brief: its figures, who sees the page and the CSV files when,
the publish service and admin actions. The clock stands at 20 January 2021
(tests/ocp/conftest.py)."""

import csv
import datetime as dt
import io

import pytest
from django.contrib.admin import helpers
from django.urls import reverse
from django.utils import timezone

from ocp.brief import (
    BriefError,
    brief_figures,
    final_brief_publish,
    final_brief_unpublish,
    shares,
)
from ocp.brief_views import chart_for
from ocp.enums import OcpStatus
from ocp.models import FinalBrief
from tests import factories
from tests.ocp.conftest import make_ocp_edition
from tests.ocp.factories import (
    ContributionFactory,
    ExhibitionRequestFactory,
    HltfNominationFactory,
    SpeakerFactory,
    SpeakerRecommendationFactory,
    WorkshopRequestFactory,
)
from wsis_portal.editions.models import Edition
from wsis_portal.reference.models import (
    ActionLine,
    Region,
    SessionFormat,
    StakeholderType,
    SustainableDevelopmentGoal,
)

CHANGELIST = "admin:ocp_finalbrief_changelist"


def _user(email, *, name, type_slug, country):
    organisation = factories.OrganisationFactory(
        name=name, stakeholder_type=StakeholderType.objects.get(slug=type_slug), country=country
    )
    return factories.UserFactory(email=email, organisation=organisation)


@pytest.fixture
def regions(db):
    africa = Region.objects.get(name="Africa")
    africa.countries = ["KE", "SN"]
    africa.save()
    europe = Region.objects.get(name="Europe")
    europe.countries = ["CH"]
    europe.save()
    return {"africa": africa, "europe": europe}


@pytest.fixture
def known(edition, calls, regions, other_tenant):
    """Ten counted entries, and entries that must not count: a draft, a
    withdrawn one, another edition's and another tenant's."""
    kenya = _user("ke@example.org", name="Nairobi Hub", type_slug="civil-society", country="KE")
    senegal = _user("sn@example.org", name="Dakar Digital", type_slug="government", country="SN")
    swiss = _user("ch@example.org", name="Geneva Lab", type_slug="academia", country="CH")
    brazil = _user("br@example.org", name="Rio Net", type_slug="private-sector", country="BR")
    lines = list(ActionLine.objects.order_by("position")[:2])
    goals = list(SustainableDevelopmentGoal.objects.filter(number__in=[4, 5]).order_by("number"))
    formats = list(SessionFormat.objects.order_by("position")[:2])
    track = factories.TrackFactory(edition=edition, name="ICTs and Youth")

    def counted(factory, owner, status=OcpStatus.SUBMITTED, **fields):
        return factory(call=calls[factory._meta.model.call_kind], owner=owner, status=status, **fields)

    first = counted(ContributionFactory, kenya)
    first.action_lines.set(lines)
    first.sdgs.set(goals)
    second = counted(ContributionFactory, senegal, status=OcpStatus.ACCEPTED)
    second.action_lines.set(lines[:1])
    workshop = counted(WorkshopRequestFactory, kenya, session_format=formats[0], track=track, binding_request=True)
    workshop.action_lines.set(lines[1:])
    workshop.sdgs.set(goals[:1])
    for gender in ["female", "female", "male"]:
        SpeakerFactory(workshop=workshop, gender=gender)
    other_workshop = counted(WorkshopRequestFactory, swiss, status=OcpStatus.UNDER_REVIEW, session_format=formats[1])
    SpeakerFactory(workshop=other_workshop, gender="other")
    SpeakerFactory(workshop=other_workshop, gender="")
    SpeakerFactory(workshop=other_workshop, gender="undisclosed")
    counted(WorkshopRequestFactory, brazil, status=OcpStatus.REJECTED, session_format=formats[1])
    counted(ExhibitionRequestFactory, swiss, status=OcpStatus.CHANGES_REQUESTED)
    counted(SpeakerRecommendationFactory, kenya)
    counted(SpeakerRecommendationFactory, brazil)
    counted(HltfNominationFactory, senegal)
    counted(HltfNominationFactory, kenya)

    # Not counted.
    draft = counted(WorkshopRequestFactory, kenya, status=OcpStatus.DRAFT, binding_request=True)
    SpeakerFactory(workshop=draft, gender="male")
    withdrawn = counted(ContributionFactory, brazil, status=OcpStatus.WITHDRAWN)
    withdrawn.action_lines.set(lines)
    older = make_ocp_edition(edition.tenant, year=2020)
    ContributionFactory(
        call=older.calls.get(kind="ocp_contribution"), owner=kenya, status=OcpStatus.SUBMITTED
    ).action_lines.set(lines)
    theirs = make_ocp_edition(other_tenant, year=2021)
    their_workshop = WorkshopRequestFactory(
        call=theirs.calls.get(kind="workshop"), owner=brazil, status=OcpStatus.SUBMITTED, session_format=formats[0]
    )
    SpeakerFactory(workshop=their_workshop, gender="male")
    return {"lines": lines, "goals": goals, "formats": formats, "track": track}


def _rows(table):
    return [(row.label, row.count) for row in table.rows]


def _nonzero(table):
    return [(row.label, row.count) for row in table.rows if row.count]


# --- the figures ---------------------------------------------------------------------


def test_figures_of_a_known_edition(edition, known):
    figures = brief_figures(edition=edition)

    assert (figures.entries, figures.countries, figures.speakers) == (10, 4, 6)
    assert _rows(figures.table("kinds")) == [
        ("OCP contributions", 2),
        ("Workshop requests", 3),
        ("Exhibition space requests", 1),
        ("Speaker recommendations", 2),
        ("HLTF nominations", 2),
    ]
    assert _nonzero(figures.table("stakeholder-types")) == [
        ("Government", 2),
        ("Private Sector", 2),
        ("Civil Society", 4),
        ("Academia", 2),
    ]
    assert len(figures.table("stakeholder-types").rows) == StakeholderType.objects.count()
    assert _nonzero(figures.table("regions")) == [("Africa", 6), ("Europe", 2), ("In no region", 2)]
    assert _rows(figures.table("countries")) == [("Kenya", 4), ("Brazil", 2), ("Senegal", 2), ("Switzerland", 2)]
    lines, goals = known["lines"], known["goals"]
    assert _nonzero(figures.table("action-lines")) == [(str(lines[0]), 2), (str(lines[1]), 2)]
    assert _nonzero(figures.table("sdgs")) == [(str(goals[0]), 2), (str(goals[1]), 1)]
    formats = known["formats"]
    assert _nonzero(figures.table("formats")) == [(formats[0].name, 1), (formats[1].name, 2)]
    assert _rows(figures.table("tracks")) == [("ICTs and Youth", 1), ("No special track", 2)]
    assert _rows(figures.table("binding")) == [("Binding", 1), ("Not binding", 2)]
    gender = figures.table("speaker-gender")
    assert _rows(gender) == [("Women", 2), ("Men", 1), ("Another gender", 1), ("Not given", 2)]
    assert [row.share for row in gender.rows] == [33.3, 16.7, 16.7, 33.3]
    assert gender.target == 50


def test_shares_add_up_to_100(edition, known):
    for table in brief_figures(edition=edition).tables:
        if table.total:
            assert round(sum(row.share for row in table.rows), 1) == 100.0, table.slug


@pytest.mark.parametrize(
    ("counts", "expected"),
    [([1, 1, 1], [33.4, 33.3, 33.3]), ([2, 1, 0], [66.7, 33.3, 0.0]), ([0, 0], [0.0, 0.0]), ([5], [100.0])],
)
def test_shares_use_the_largest_remainders(counts, expected):
    assert shares(counts) == expected


def test_figures_of_an_edition_without_entries(edition):
    figures = brief_figures(edition=edition)

    assert (figures.entries, figures.countries, figures.speakers) == (0, 0, 0)
    assert figures.table("countries").rows == []
    assert all(row.share == 0 for table in figures.tables for row in table.rows)


def test_chart_grows_from_the_right_in_arabic(edition, known):
    table = brief_figures(edition=edition).table("speaker-gender")

    ltr, rtl = chart_for(table, rtl=False), chart_for(table, rtl=True)

    # Women: 33.3 % of 80 % of the width; the target line at 50 % of it.
    assert (ltr.bars[0].x, ltr.bars[0].width, ltr.bars[0].x_figure) == ("0.00%", "26.64%", "26.64%")
    assert (rtl.bars[0].x, rtl.bars[0].width, rtl.bars[0].x_figure) == ("73.36%", "26.64%", "73.36%")
    assert (ltr.target_x, rtl.target_x) == ("40.00%", "60.00%")


# --- the page: who sees it when ----------------------------------------------------------


def _url(tenant, **params):
    from urllib.parse import urlencode

    url = reverse("ocp:brief", kwargs={"tenant_slug": tenant.slug})
    return f"{url}?{urlencode(params)}" if params else url


def _csv_url(tenant, table, **params):
    from urllib.parse import urlencode

    url = reverse("ocp:brief_csv", kwargs={"tenant_slug": tenant.slug, "table": table})
    return f"{url}?{urlencode(params)}" if params else url


def _brief(edition, **fields):
    return FinalBrief.objects.create(edition=edition, introduction="What stakeholders told us.", **fields)


NOTICE = "Not yet published - only the secretariat sees this page."


@pytest.mark.parametrize("persona", ["manager", "reviewer", "expert", "viewer", "operator"])
def test_staff_see_the_unpublished_brief(client, tenant, edition, known, persona, request):
    _brief(edition)
    client.force_login(request.getfixturevalue(persona))

    response = client.get(_url(tenant))

    assert response.status_code == 200
    content = response.content.decode()
    assert NOTICE in content
    assert "What stakeholders told us." in content
    assert client.get(_csv_url(tenant, "kinds")).status_code == 200


def test_staff_see_the_figures_before_a_brief_is_written(client, tenant, edition, known, manager):
    client.force_login(manager)

    response = client.get(_url(tenant))

    assert response.status_code == 200
    assert response.context["brief"] is None
    assert NOTICE in response.content.decode()


@pytest.mark.parametrize("persona", ["anonymous", "stakeholder", "other_manager"])
@pytest.mark.parametrize("published", [None, "future"])
def test_unpublished_brief_is_404_for_others(client, tenant, edition, known, persona, published, request):
    _brief(edition, published_at=timezone.now() + dt.timedelta(days=1) if published else None)
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))

    assert client.get(_url(tenant)).status_code == 404
    assert client.get(_csv_url(tenant, "kinds")).status_code == 404


@pytest.mark.parametrize("persona", ["anonymous", "stakeholder", "other_manager"])
def test_published_brief_is_public(client, tenant, edition, known, persona, request):
    _brief(edition, published_at=timezone.now() - dt.timedelta(hours=1))
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))

    response = client.get(_url(tenant))

    assert response.status_code == 200
    content = response.content.decode()
    assert NOTICE not in content
    assert "Published on 20 January 2021." in content
    assert "<p>What stakeholders told us.</p>" in content


def test_no_brief_is_404_for_the_public(client, tenant, edition, known):
    assert client.get(_url(tenant)).status_code == 404


def test_other_tenants_brief_is_404(client, tenant, edition, known, other_tenant, other_manager):
    _brief(edition)
    client.force_login(other_manager)

    assert client.get(_url(tenant)).status_code == 404
    assert client.get(_csv_url(tenant, "kinds")).status_code == 404
    # Their own tenant's brief counts their own entries only.
    assert client.get(_url(other_tenant)).context["figures"].entries == 1


def test_page_shows_every_table_with_its_chart_and_csv_link(client, tenant, edition, known):
    _brief(edition, published_at=timezone.now())

    content = client.get(_url(tenant)).content.decode()

    for slug in [
        "kinds",
        "stakeholder-types",
        "regions",
        "countries",
        "action-lines",
        "sdgs",
        "formats",
        "tracks",
        "binding",
        "speaker-gender",
    ]:
        assert f'<svg role="img" aria-labelledby="chart-{slug}-caption"' in content, slug
        assert f'<figcaption id="chart-{slug}-caption"' in content, slug
        assert f'href="{_csv_url(tenant, slug)}"' in content, slug
    assert "Download CSV: Entries by country" in content
    assert '<th scope="row" class="fw-normal">Kenya</th>' in content
    assert "stroke-dasharray" in content  # the 50 % target line, on the gender chart only
    assert content.count("stroke-dasharray") == 1


def test_brief_of_another_edition_by_year(client, tenant, edition, known):
    _brief(Edition.objects.get(tenant=tenant, year=2020), published_at=timezone.now())

    assert client.get(_url(tenant)).status_code == 404  # the current edition has no brief
    response = client.get(_url(tenant, edition=2020))
    assert response.status_code == 200
    assert response.context["figures"].entries == 1
    assert client.get(_url(tenant, edition=1999)).status_code == 404
    assert client.get(_url(tenant, edition="x")).status_code == 404
    assert f'href="{_csv_url(tenant, "kinds", edition=2020)}"' in response.content.decode()


# --- CSV files ------------------------------------------------------------------------


def test_csv_of_a_table(client, tenant, edition, known):
    _brief(edition, published_at=timezone.now())

    response = client.get(_csv_url(tenant, "countries"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="wsis-ocp-brief-2021-countries.csv"'
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [
        ["Country", "Entries", "Share (%)"],
        ["Kenya", "4", "40.0"],
        ["Brazil", "2", "20.0"],
        ["Senegal", "2", "20.0"],
        ["Switzerland", "2", "20.0"],
        ["Total", "10", "100.0"],
    ]


def test_csv_in_arabic_is_utf8(client, tenant, edition, known):
    _brief(edition, published_at=timezone.now())
    client.cookies["django_language"] = "ar"

    response = client.get(_csv_url(tenant, "speaker-gender"))

    text = response.content.decode("utf-8-sig")
    assert response.status_code == 200
    assert len(list(csv.reader(io.StringIO(text)))) == 6


def test_csv_of_an_unknown_table_is_404(client, tenant, edition, known):
    _brief(edition, published_at=timezone.now())

    assert client.get(_csv_url(tenant, "nonsense")).status_code == 404


# --- query counts ----------------------------------------------------------------------


def _entries(edition, calls, count):
    formats = list(SessionFormat.objects.order_by("position")[:2])
    lines = list(ActionLine.objects.order_by("position")[:2])
    goals = list(SustainableDevelopmentGoal.objects.order_by("number")[:2])
    track = factories.TrackFactory(edition=edition)
    owners = [
        _user(f"owner{index}@example.org", name=f"Org {index}", type_slug=slug, country=country)
        for index, (slug, country) in enumerate([("civil-society", "KE"), ("government", "CH")])
    ]
    for index in range(count):
        owner = owners[index % 2]
        contribution = ContributionFactory(call=calls["ocp_contribution"], owner=owner, status=OcpStatus.SUBMITTED)
        contribution.action_lines.set(lines)
        contribution.sdgs.set(goals)
        workshop = WorkshopRequestFactory(
            call=calls["workshop"],
            owner=owner,
            status=OcpStatus.ACCEPTED,
            session_format=formats[index % 2],
            track=track if index % 2 else None,
            binding_request=bool(index % 2),
        )
        workshop.action_lines.set(lines)
        SpeakerFactory(workshop=workshop, gender=["female", "male"][index % 2])
        ExhibitionRequestFactory(call=calls["exhibition"], owner=owner, status=OcpStatus.SUBMITTED)
        SpeakerRecommendationFactory(call=calls["speaker"], owner=owner, status=OcpStatus.SUBMITTED)
        HltfNominationFactory(call=calls["hltf"], owner=owner, status=OcpStatus.SUBMITTED)


# Tenant, edition, brief; five grouped queries (entries, Action Lines, SDGs,
# workshops, speakers) and six label lists; for a visitor no membership.
BRIEF_QUERIES = 14


@pytest.mark.parametrize("count", [1, 50])
def test_page_query_count_is_constant(client, tenant, edition, calls, regions, django_assert_num_queries, count):
    _entries(edition, calls, count)
    _brief(edition, published_at=timezone.now())

    with django_assert_num_queries(BRIEF_QUERIES):
        response = client.get(_url(tenant))

    assert response.status_code == 200
    assert response.context["figures"].entries == 5 * count


@pytest.mark.parametrize("count", [1, 50])
def test_csv_query_count_is_constant(client, tenant, edition, calls, django_assert_num_queries, count):
    _entries(edition, calls, count)
    _brief(edition, published_at=timezone.now())

    with django_assert_num_queries(BRIEF_QUERIES):
        response = client.get(_csv_url(tenant, "kinds"))

    assert response.status_code == 200


# --- publishing -------------------------------------------------------------------------


def test_publish_and_unpublish(edition, manager):
    brief = _brief(edition)

    assert final_brief_publish(brief, by=manager) is True
    assert FinalBrief.objects.get().published_at == timezone.now()
    assert final_brief_publish(brief, by=manager, now=timezone.now() + dt.timedelta(days=1)) is False
    assert FinalBrief.objects.get().published_at == timezone.now()  # the first date is kept

    assert final_brief_unpublish(brief, by=manager) is True
    assert FinalBrief.objects.get().published_at is None
    assert final_brief_unpublish(brief, by=manager) is False
    history = FinalBrief.history.order_by("history_id")
    assert [(item.history_type, item.history_user_id) for item in history] == [
        ("+", None),
        ("~", manager.pk),
        ("~", manager.pk),
    ]


@pytest.mark.parametrize("persona", ["viewer", "reviewer", "other_manager", "stakeholder"])
def test_publish_needs_a_manager_of_the_tenant(edition, persona, request):
    brief = _brief(edition)

    with pytest.raises(BriefError, match="You may not publish"):
        final_brief_publish(brief, by=request.getfixturevalue(persona))
    assert FinalBrief.objects.get().published_at is None


def _act(client, action, briefs):
    data = {"action": action, helpers.ACTION_CHECKBOX_NAME: [brief.pk for brief in briefs]}
    return client.post(reverse(CHANGELIST), data, follow=True)


def test_admin_publishes_and_withdraws(edition, manager, admin_client_for, client, tenant):
    brief = _brief(edition)
    staff = admin_client_for(manager)

    response = _act(staff, "publish", [brief])
    assert response.status_code == 200
    assert FinalBrief.objects.get().published_at == timezone.now()
    assert "Published: 1." in response.content.decode()

    response = _act(staff, "unpublish", [brief])
    assert FinalBrief.objects.get().published_at is None
    assert "Withdrawn from the public: 1." in response.content.decode()


def test_admin_lists_the_tenants_briefs_with_a_link_to_the_page(
    edition, other_tenant, manager, admin_client_for, tenant
):
    ours = _brief(edition)
    _brief(make_ocp_edition(other_tenant, year=2021))

    response = admin_client_for(manager).get(reverse(CHANGELIST))

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [ours]
    assert f'href="{_url(tenant, edition=2021)}"' in response.content.decode()


def test_viewer_cannot_publish_in_the_admin(edition, viewer, admin_client_for):
    brief = _brief(edition)
    client = admin_client_for(viewer)

    assert client.get(reverse(CHANGELIST)).context["action_form"] is None  # no action for viewers
    _act(client, "publish", [brief])

    assert FinalBrief.objects.get().published_at is None


def test_other_tenants_brief_is_not_published_from_the_admin(edition, other_manager, admin_client_for):
    brief = _brief(edition)

    _act(admin_client_for(other_manager), "publish", [brief])

    assert FinalBrief.objects.get().published_at is None


# --- the link from the OCP overview -----------------------------------------------------


def test_overview_links_the_published_brief(client, tenant, edition):
    _brief(edition, published_at=timezone.now())

    content = client.get(reverse("ocp:overview", kwargs={"tenant_slug": tenant.slug})).content.decode()

    assert f'href="{_url(tenant)}"' in content


def test_overview_hides_the_unpublished_brief_from_the_public(client, tenant, edition, manager):
    _brief(edition)
    overview = reverse("ocp:overview", kwargs={"tenant_slug": tenant.slug})

    assert f'href="{_url(tenant)}"' not in client.get(overview).content.decode()
    client.force_login(manager)
    assert f'href="{_url(tenant)}"' in client.get(overview).content.decode()
