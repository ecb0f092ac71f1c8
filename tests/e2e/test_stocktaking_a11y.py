"""axe reports no violation on the stocktaking search (with and without a
search), an entry's page, and the owner's list and form, in English and in
Arabic, at desktop and phone width."""

import pytest

from stocktaking import services
from tests.e2e.a11y import axe_report
from tests.e2e.conftest import DESKTOP, PHONE
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
