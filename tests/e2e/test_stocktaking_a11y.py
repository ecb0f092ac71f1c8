"""axe reports no violation on the stocktaking search (with and without a
search), an entry's page, the owner's list and form, the regional reports,
the collections and the owner's list during a call for update, in English
and in Arabic, at desktop and phone width."""

import datetime as dt

import pytest
from django.utils import timezone

from stocktaking import services
from stocktaking.models import Collection, Entry
from tests import factories
from tests.e2e.a11y import axe_report
from tests.e2e.conftest import DESKTOP, PHONE
from wsis_portal.editions.enums import CallKind
from wsis_portal.reference.models import ActionLine, Region, SustainableDevelopmentGoal

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def entries(tenant, stakeholder, manager):
    region = Region.objects.get(name="Africa")
    region.countries = ["KE", "SN"]
    region.save()
    made = []
    for title, language, countries in [
        ("Telemedicine for rural Kenya", "en", ["KE"]),
        ("Éducation numérique au Sénégal", "fr", ["SN"]),
        ("التعليم الرقمي في المدارس", "ar", ["EG"]),
    ]:
        entry = services.entry_create(
            tenant=tenant,
            by=stakeholder,
            data={
                "title": title,
                "description": "Connecting clinics and schools.",
                "language": language,
                "organisation_name": "Kenya ICT Network",
                "countries": countries,
                "start_year": 2019,
                "website": "https://example.org/project",
                "partners": "ITU\nUNESCO",
            },
            many={
                "action_lines": ActionLine.objects.filter(code__in=["C4", "C7.e-health"]),
                "sdgs": SustainableDevelopmentGoal.objects.filter(number__in=[3, 4]),
            },
        )
        services.entry_submit(entry=entry, by=stakeholder)
        services.entry_publish(entry=entry, by=manager)
        made.append(entry)
    return made


@pytest.mark.parametrize("language", ["en", "ar"])
def test_stocktaking_pages_have_no_axe_violations(
    new_context, choose_language, login_as, entries, stakeholder, language
):
    context = new_context()
    choose_language(context, language)
    page = context.new_page()
    problems = []
    public = [
        ("search", "/wsis/stocktaking/"),
        ("search-keyword", "/wsis/stocktaking/?q=telemedicine&kind=project&sort=title"),
        ("search-empty", "/wsis/stocktaking/?q=nothingmatchesthis"),
        ("entry", f"/wsis/stocktaking/{entries[0].pk}/"),
    ]
    owner = [("mine", "/wsis/stocktaking/mine/"), ("edit", f"/wsis/stocktaking/mine/{entries[1].pk}/")]
    for group, pages in [("public", public), ("owner", owner)]:
        if group == "owner":
            login_as(context, stakeholder)
        for name, path in pages:
            page.set_viewport_size(DESKTOP)
            response = page.goto(path)
            assert response.status == 200, name
            assert page.locator("html").get_attribute("lang") == language, name
            assert page.locator("main h1").count() == 1, name
            for width, viewport in [("desktop", DESKTOP), ("phone", PHONE)]:
                page.set_viewport_size(viewport)
                report = axe_report(page)
                if report:
                    problems.append(f"[{name}-{language}, {width}] {report}")
    assert not problems, "\n".join(problems)


@pytest.fixture
def awaiting_update(tenant, entries):
    """An open call for update, and the stakeholder's entries last confirmed
    three years ago, so that "My stocktaking entries" lists them with their
    Confirm and Update buttons; a collection holding two of them."""
    factories.open_call(tenant=tenant, kind=CallKind.STOCKTAKING_UPDATE)
    Entry.objects.filter(pk__in=[entry.pk for entry in entries]).update(
        confirmed_at=timezone.now() - dt.timedelta(days=3 * 365)
    )
    collection = Collection.objects.create(
        tenant=tenant, name="COVID-19 ICT Case Repository", slug="covid-19", description="ICT responses."
    )
    collection.entries.add(*entries[:2])
    return entries


@pytest.mark.parametrize("language", ["en", "ar"])
def test_reports_collections_and_call_for_update_have_no_axe_violations(
    new_context, choose_language, login_as, awaiting_update, stakeholder, language
):
    context = new_context()
    choose_language(context, language)
    page = context.new_page()
    problems = []
    year = timezone.now().year
    public = [
        ("reports", "/wsis/stocktaking/reports/"),
        ("report", "/wsis/stocktaking/reports/africa/2020/"),
        ("report-empty", f"/wsis/stocktaking/reports/europe/{year}/"),
        ("collections", "/wsis/stocktaking/collections/"),
        ("collection", "/wsis/stocktaking/collections/covid-19/"),
        ("search-stale", "/wsis/stocktaking/?freshness=stale"),
    ]
    owner = [("mine-awaiting", "/wsis/stocktaking/mine/")]
    for group, pages in [("public", public), ("owner", owner)]:
        if group == "owner":
            login_as(context, stakeholder)
        for name, path in pages:
            page.set_viewport_size(DESKTOP)
            response = page.goto(path)
            assert response.status == 200, name
            assert page.locator("main h1").count() == 1, name
            if name == "mine-awaiting":
                assert page.locator("form[action$='/confirm/'] button").count() == 3
            for width, viewport in [("desktop", DESKTOP), ("phone", PHONE)]:
                page.set_viewport_size(viewport)
                report = axe_report(page)
                if report:
                    problems.append(f"[{name}-{language}, {width}] {report}")
    assert not problems, "\n".join(problems)
