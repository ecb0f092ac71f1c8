"""Synthetic stocktaking entries for demos and benchmarks: published entries
across Action Lines, SDGs, countries (so regions), stakeholder types, kinds
and languages (English, French, Spanish, Arabic, Russian), inserted in bulk.

Seeded entries are recognised by their website under ``DEMO_WEBSITE``:
running again tops the tenant up to ``count`` seeded entries."""

from __future__ import annotations

import datetime as dt
import random

from django.db import connection, transaction
from django.utils import timezone
from django_scopes import scopes_disabled
from simple_history.utils import bulk_create_with_history

from wsis_portal.reference.models import ActionLine, Region, StakeholderType, SustainableDevelopmentGoal

from .enums import Coverage, EntryKind, EntryStatus, ProjectStatus
from .models import Collection, Entry, EntryCountry
from .search import entry_refresh_search
from .services import region_countries, region_ids_for

DEMO_WEBSITE = "https://stocktaking-demo.example.org/"
BATCH = 500
#: What ``seed_demo`` seeds: "a few thousand realistic entries".
DEMO_COUNT = 2500
#: The demo stakeholder owns a few entries awaiting the call for update.
DEMO_OWNER_EMAIL = "stakeholder@wsis.demo"
DEMO_OWNED = 6

TITLES = {
    "en": [
        ("Digital skills for {people} in {place}", "Training {people} to use digital tools, with local partners."),
        ("Telemedicine network for {place}", "Remote consultations connect rural clinics with hospitals."),
        ("Open government data portal of {place}", "Public data published in open formats for re-use."),
        ("Community broadband in {place}", "A community network bringing affordable Internet access."),
        ("Cybersecurity awareness for {people}", "Campaigns and courses on safe use of the Internet."),
    ],
    "fr": [
        ("Éducation numérique pour les {people_fr} à {place}", "Des écoles connectées et des enseignants formés."),
        ("Réseau de télémédecine de {place}", "Des consultations à distance entre centres de santé."),
        ("Données ouvertes et administration électronique à {place}", "Des services publics en ligne accessibles."),
        ("Inclusion numérique des femmes à {place}", "Formation et accompagnement à l'entrepreneuriat numérique."),
    ],
    "es": [
        ("Alfabetización digital para {people_es} en {place}", "Cursos de habilidades digitales en bibliotecas."),
        ("Agricultura inteligente en {place}", "Sensores y mensajes de texto para pequeños agricultores."),
    ],
    "ar": [
        ("التعليم الرقمي في {place}", "ربط المدارس بالإنترنت وتدريب المعلمين على الأدوات الرقمية."),
        ("الحكومة الإلكترونية في {place}", "خدمات عامة على الإنترنت للمواطنين."),
        ("الصحة الإلكترونية للمناطق الريفية في {place}", "استشارات طبية عن بعد للمراكز الصحية."),
    ],
    "ru": [
        ("Цифровая грамотность в {place}", "Обучение жителей работе с цифровыми сервисами."),
        ("Электронное правительство {place}", "Государственные услуги в электронном виде."),
    ],
}
PEOPLE = ["youth", "women", "older persons", "farmers", "teachers", "persons with disabilities"]
PEOPLE_FR = ["jeunes", "femmes", "agriculteurs", "enseignants"]
PEOPLE_ES = ["jóvenes", "mujeres", "agricultores", "docentes"]
ORGANISATIONS = [
    "Ministry of ICT",
    "National Telecom Regulator",
    "Digital Inclusion Foundation",
    "University of Technology",
    "ICT Chamber of Commerce",
    "Open Knowledge Network",
    "Regional Telecommunity",
]
COUNTRIES = ["KE", "SN", "NG", "EG", "MA", "JO", "FR", "CH", "DE", "BR", "MX", "AR", "IN", "NP", "ID", "KZ", "RU", "US"]
LANGUAGE_WEIGHTS = {"en": 5, "fr": 2, "es": 1, "ar": 2, "ru": 1}


def seed_stocktaking(*, tenant, count: int, seed: int = 2004, owner=None) -> int:
    """Top ``tenant`` up to ``count`` seeded published entries; returns how many were created."""
    with scopes_disabled(), transaction.atomic():
        existing = Entry.objects.filter(tenant=tenant, website__startswith=DEMO_WEBSITE).count()
        missing = max(count - existing, 0)
        if not missing:
            return 0
        rng = random.Random(seed + existing)
        lines = list(ActionLine.objects.all())
        goals = list(SustainableDevelopmentGoal.objects.all())
        types = list(StakeholderType.objects.all())
        regions = region_countries(list(Region.objects.all()))
        collection, _ = Collection.objects.get_or_create(
            tenant=tenant,
            slug="covid-19",
            defaults={"name": "COVID-19 ICT Case Repository", "description": "ICT responses to the pandemic."},
        )
        languages = [code for code, weight in LANGUAGE_WEIGHTS.items() for _ in range(weight)]
        now = timezone.now()
        created = 0
        while created < missing:
            size = min(BATCH, missing - created)
            plans = [_plan(rng, existing + created + i, languages, types, now, tenant) for i in range(size)]
            entries = bulk_create_with_history(
                [plan["entry"] for plan in plans], Entry, batch_size=BATCH, default_date=now
            )
            _link(entries, plans, rng, lines=lines, goals=goals, regions=regions, collection=collection)
            entry_refresh_search(entry_ids=[entry.pk for entry in entries])
            created += size
        if connection.vendor == "postgresql":
            # Fresh statistics, so that the planner picks the search indexes.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE stocktaking_entry")
        if owner is not None:
            Entry.objects.filter(tenant=tenant, website__startswith=DEMO_WEBSITE, owner=None).update(owner=owner)
    return created


def seed_stocktaking_demo(*, tenant, now: dt.datetime, count: int = DEMO_COUNT) -> int:
    """The demo's stocktaking: ``count`` seeded entries (see ``seed_stocktaking``)
    and, if the demo stakeholder exists, a few of them owned by that person and
    last confirmed three years ago, so "My stocktaking entries" lists them
    while the call for update is open. Returns how many entries were created."""
    from wsis_portal.accounts.models import User

    created = seed_stocktaking(tenant=tenant, count=count)
    owner = User.objects.filter(email=DEMO_OWNER_EMAIL).first()
    if owner is not None:
        with scopes_disabled():
            seeded = Entry.objects.filter(tenant=tenant, website__startswith=DEMO_WEBSITE)
            if not seeded.filter(owner=owner).exists():
                ids = list(seeded.filter(owner=None).order_by("pk").values_list("pk", flat=True)[:DEMO_OWNED])
                Entry.objects.filter(pk__in=ids).update(
                    owner=owner,
                    organisation_id=owner.organisation_id,
                    confirmed_at=now - dt.timedelta(days=3 * 365),
                )
    return created


def _plan(rng: random.Random, number: int, languages: list[str], types, now: dt.datetime, tenant) -> dict:
    language = rng.choice(languages)
    countries = sorted(set(rng.sample(COUNTRIES, rng.choice([1, 1, 1, 2, 3]))))
    title, description = rng.choice(TITLES[language])
    values = {
        "place": countries[0] if language in ("ar", "ru") else _country_name(countries[0]),
        "people": rng.choice(PEOPLE),
        "people_fr": rng.choice(PEOPLE_FR),
        "people_es": rng.choice(PEOPLE_ES),
    }
    start = rng.randint(2005, 2025)
    published_at = now - dt.timedelta(days=rng.randint(0, 3650))
    completed = rng.random() < 0.4
    entry = Entry(
        tenant=tenant,
        status=EntryStatus.PUBLISHED,
        title=f"{title.format(**values)} ({number + 1})",
        description=description,
        kind=rng.choice(EntryKind.values),
        language=language,
        organisation_name=f"{rng.choice(ORGANISATIONS)} {countries[0]}",
        stakeholder_type=rng.choice(types) if types else None,
        countries=countries,
        coverage=Coverage.NATIONAL if len(countries) == 1 else rng.choice([Coverage.REGIONAL, Coverage.INTERNATIONAL]),
        start_year=start,
        end_year=min(start + rng.randint(1, 6), 2026) if completed else None,
        project_status=ProjectStatus.COMPLETED if completed else ProjectStatus.ONGOING,
        website=f"{DEMO_WEBSITE}{number + 1}",
        partners="\n".join(rng.sample(ORGANISATIONS, 2)),
        beneficiaries=values["people"],
        published_at=published_at,
        # About a third not confirmed for years: stale in the search.
        confirmed_at=min(now, published_at + dt.timedelta(days=rng.randint(0, 3650))),
        submitted_at=now,
    )
    return {"entry": entry, "countries": countries}


def _country_name(code: str) -> str:
    from django_countries import countries

    return str(countries.name(code))


def _link(entries, plans, rng, *, lines, goals, regions, collection) -> None:
    lines_through = Entry.action_lines.through
    goals_through = Entry.sdgs.through
    regions_through = Entry.regions.through
    collections_through = Entry.collections.through
    line_rows, goal_rows, region_rows, country_rows, collection_rows = [], [], [], [], []
    for entry, plan in zip(entries, plans, strict=True):
        for line in rng.sample(lines, rng.randint(1, 3)):
            line_rows.append(lines_through(entry_id=entry.pk, actionline_id=line.pk))
        for goal in rng.sample(goals, rng.randint(1, 3)):
            goal_rows.append(goals_through(entry_id=entry.pk, sustainabledevelopmentgoal_id=goal.pk))
        for region_id in region_ids_for(set(plan["countries"]), regions):
            region_rows.append(regions_through(entry_id=entry.pk, region_id=region_id))
        for code in plan["countries"]:
            country_rows.append(EntryCountry(entry_id=entry.pk, country=code))
        if rng.random() < 0.05:
            collection_rows.append(collections_through(entry_id=entry.pk, collection_id=collection.pk))
    lines_through.objects.bulk_create(line_rows, batch_size=BATCH)
    goals_through.objects.bulk_create(goal_rows, batch_size=BATCH)
    regions_through.objects.bulk_create(region_rows, batch_size=BATCH)
    EntryCountry.objects.bulk_create(country_rows, batch_size=BATCH)
    collections_through.objects.bulk_create(collection_rows, batch_size=BATCH)
