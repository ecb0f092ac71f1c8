"""A realistic Open Consultation Process for the demo tenant.

About 60 organisations of every stakeholder type from every region, 120
stakeholders, and some 300 entries answering the WSIS Forum 2021 calls (most
submitted, with reference numbers, a few drafts and withdrawn ones), so that
the admin lists and the final brief have something to show; and a few drafts
of the demo stakeholder in the current edition.

Everything comes from ``random.Random(SEED)``, so every run plans the same
data; what already exists is looked up first (users by email, entries counted
per owner and call), so a second run creates nothing. Rows are written
directly, never through the submit service: no email is queued. Reference
numbers take the tenant's ``ReferenceCounter`` along, so later real
submissions get the next free number.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import F
from django_countries import countries

from wsis_portal.accounts.models import Gender, Organisation, User
from wsis_portal.editions.models import Call, Edition, ReferenceCounter, Track
from wsis_portal.reference.models import (
    ActionLine,
    Region,
    SessionFormat,
    StakeholderType,
    SustainableDevelopmentGoal,
)

from .enums import OcpStatus, Participation, SpaceSize
from .models import (
    Contribution,
    ExhibitionRequest,
    HltfNomination,
    OcpSubmission,
    Speaker,
    SpeakerRecommendation,
    WorkshopRequest,
)

SEED = 2021
DEMO_PASSWORD = "wsis-demo-2021"  # the password of the other demo logins too
STAKEHOLDER_EMAIL = "demo-stakeholder-{:03d}@wsis.demo"
STAKEHOLDER_COUNT = 120
# How many 2021 entries of each kind the demo holds.
ENTRY_COUNTS = {
    Contribution: 70,
    WorkshopRequest: 110,
    ExhibitionRequest: 45,
    SpeakerRecommendation: 55,
    HltfNomination: 20,
}

# Plausible members of each ITU-D region (the reference data only lists the CIS ones).
COUNTRIES_BY_REGION = {
    "Africa": ["KE", "NG", "GH", "SN", "ZA", "RW", "ET", "CM", "CI", "UG", "TZ", "ZM"],
    "Americas": ["BR", "MX", "CO", "AR", "CL", "CA", "US", "PE", "JM", "CR"],
    "Arab States": ["EG", "MA", "TN", "JO", "AE", "SA", "LB", "OM", "QA"],
    "Asia and the Pacific": ["IN", "CN", "JP", "ID", "PH", "BD", "TH", "AU", "FJ", "VN", "PK", "KR"],
    "CIS": ["KZ", "RU", "AM", "UZ", "KG", "BY", "AZ"],
    "Europe": ["CH", "FR", "DE", "IT", "ES", "SE", "PL", "EE", "GB", "NL", "PT"],
}

# (name, stakeholder type slug, country): 62 organisations, every type, every region.
ORGANISATIONS = [
    ("Ministry of Information, Communications and Technology", "government", "KE"),
    ("Nigerian Communications Commission (demo)", "government", "NG"),
    ("Ministry of Communications and Digitalisation", "government", "GH"),
    ("Ministry of Science, Technology and Telecommunications", "government", "CR"),
    ("Secretaría de Gobierno Digital", "government", "MX"),
    ("Ministry of Communications and Information Technology", "government", "EG"),
    ("Telecommunications Regulatory Authority", "government", "AE"),
    ("Ministry of Electronics and Information Technology", "government", "IN"),
    ("Department of Information and Communications Technology", "government", "PH"),
    ("Ministry of Digital Development", "government", "KZ"),
    ("Ministry of Economic Affairs and Communications", "government", "EE"),
    ("Federal Office of Communications (demo)", "government", "CH"),
    ("Safaricom Digital Labs", "private-sector", "KE"),
    ("Teranga Telecom", "private-sector", "SN"),
    ("Andes Cloud Services", "private-sector", "CL"),
    ("Selva Conecta", "private-sector", "BR"),
    ("Atlas Fintech", "private-sector", "MA"),
    ("Gulf Data Systems", "private-sector", "QA"),
    ("Mekong Mobile Money", "private-sector", "VN"),
    ("Pacific Satellite Link", "private-sector", "FJ"),
    ("Steppe Data Systems", "private-sector", "UZ"),
    ("Alpine Secure Software", "private-sector", "DE"),
    ("Women in Tech Africa Network", "civil-society", "GH"),
    ("Digital Rights Uganda", "civil-society", "UG"),
    ("Red de Conectividad Comunitaria", "civil-society", "CO"),
    ("Jamaica Youth Coders", "civil-society", "JM"),
    ("Arab Digital Inclusion Forum", "civil-society", "JO"),
    ("Bangladesh Rural Connect", "civil-society", "BD"),
    ("Open Knowledge Armenia", "civil-society", "AM"),
    ("Älter werden digital", "civil-society", "CH"),
    ("University of Nairobi, School of Computing", "academia", "KE"),
    ("Universidad de Buenos Aires, Faculty of Engineering", "academia", "AR"),
    ("American University of Beirut, ICT Policy Lab", "academia", "LB"),
    ("Indian Institute of Technology Madras", "academia", "IN"),
    ("Keio University, Cyber Civilization Research Center", "academia", "JP"),
    ("Kyrgyz State Technical University", "academia", "KG"),
    ("Université de Genève, Geneva School of Social Sciences", "academia", "CH"),
    ("African Network Information Centre (demo)", "technical-community", "ZA"),
    ("Internet Society Chapter Peru", "technical-community", "PE"),
    ("Tunisian Internet Exchange Point", "technical-community", "TN"),
    ("APNIC Community Trainers (demo)", "technical-community", "AU"),
    ("Belarus Open Source Association", "technical-community", "BY"),
    ("Réseau des opérateurs de l'Internet", "technical-community", "FR"),
    ("African Union Commission, Infrastructure and Energy (demo)", "international-organization", "ET"),
    ("Inter-American Development Bank, Digital Agenda (demo)", "international-organization", "US"),
    ("Arab League Digital Economy Unit (demo)", "international-organization", "EG"),
    ("Asia-Pacific Telecommunity (demo)", "international-organization", "TH"),
    ("Regional Commonwealth in the field of Communications (demo)", "international-organization", "RU"),
    ("European Broadcasting Union (demo)", "international-organization", "CH"),
    ("UNDP Country Office Rwanda (demo)", "united-nations", "RW"),
    ("UNESCO Office in Santiago (demo)", "united-nations", "CL"),
    ("ESCWA Technology for Development Division (demo)", "united-nations", "LB"),
    ("ESCAP ICT and Disaster Risk Reduction (demo)", "united-nations", "TH"),
    ("UNCTAD Technology and Logistics (demo)", "united-nations", "CH"),
    ("UNICEF Office of Innovation, Central Asia (demo)", "united-nations", "KZ"),
    ("Cameroon Digital Journalists' Collective", "other", "CM"),
    ("Canadian Independent ICT Consultants", "other", "CA"),
    ("Oman Smart Cities Initiative", "other", "OM"),
    ("Indonesian Digital Villages Foundation", "other", "ID"),
    ("Azerbaijan Startup Hub", "other", "AZ"),
    ("Lisbon Digital Heritage Trust", "other", "PT"),
    ("Polish Senior Digital Club", "other", "PL"),
]

FEMALE_NAMES = [
    "Amina",
    "Wanjiru",
    "Chiamaka",
    "Fatou",
    "Aisha",
    "Nomvula",
    "Mariana",
    "Camila",
    "Lucía",
    "Ana",
    "Layla",
    "Noor",
    "Fatima",
    "Priya",
    "Ananya",
    "Mei",
    "Yuki",
    "Siti",
    "Nguyen Thi",
    "Aigerim",
    "Olga",
    "Anahit",
    "Dilnoza",
    "Sofia",
    "Ingrid",
    "Chiara",
    "Marta",
    "Kaisa",
    "Émilie",
    "Hana",
]
MALE_NAMES = [
    "Kwame",
    "Oluwaseun",
    "Moussa",
    "Tendai",
    "Jean-Baptiste",
    "Carlos",
    "Mateo",
    "João",
    "Diego",
    "Luis",
    "Omar",
    "Youssef",
    "Karim",
    "Rajesh",
    "Arjun",
    "Wei",
    "Hiroshi",
    "Budi",
    "Minh",
    "Nurlan",
    "Dmitri",
    "Aram",
    "Timur",
    "Rustam",
    "Lars",
    "Marco",
    "Piotr",
    "Tomás",
    "Henrik",
    "Jonas",
]
OTHER_NAMES = ["Alex", "Sam", "Kai", "Noa", "Robin", "Ari"]
LAST_NAMES = [
    "Mwangi",
    "Okonkwo",
    "Diallo",
    "Mensah",
    "Nkosi",
    "Uwimana",
    "Tesfaye",
    "Silva",
    "García",
    "Rodríguez",
    "Fernández",
    "Pereira",
    "Haddad",
    "El Amrani",
    "Al-Mansouri",
    "Khalil",
    "Sharma",
    "Iyer",
    "Chen",
    "Wang",
    "Tanaka",
    "Sato",
    "Santoso",
    "Nguyen",
    "Reyes",
    "Rahman",
    "Nurlanovna",
    "Ivanova",
    "Petrosyan",
    "Karimov",
    "Müller",
    "Rossi",
    "Kowalski",
    "Tamm",
    "Dubois",
    "Andersson",
    "Costa",
    "O'Brien",
    "Begum",
]
JOB_TITLES = [
    "Director of Digital Policy",
    "ICT Officer",
    "Programme Manager",
    "Head of Partnerships",
    "Senior Researcher",
    "Policy Adviser",
    "Chief Technology Officer",
    "Project Coordinator",
    "Executive Director",
    "Legal Counsel",
]

TOPICS = [
    "community networks",
    "digital skills for women and girls",
    "e-health in rural clinics",
    "cybersecurity capacity building",
    "open government data",
    "AI ethics",
    "digital public infrastructure",
    "mobile money and financial inclusion",
    "e-learning after COVID-19",
    "accessible ICTs for persons with disabilities",
    "local content in indigenous languages",
    "early warning systems and climate data",
    "smart agriculture",
    "digital identity",
    "broadband for small island states",
    "youth entrepreneurship",
    "online child protection",
    "digital heritage",
    "e-waste and the circular economy",
    "media literacy",
    "ageing and digital inclusion",
    "satellite connectivity",
    "trust in e-government services",
    "data protection frameworks",
    "startups and innovation ecosystems",
]
ANGLES = [
    "lessons from {country}",
    "building back better",
    "scaling what works",
    "a multistakeholder approach",
    "measuring impact against the SDGs",
    "from pilots to policy",
    "regional cooperation",
    "closing the gap",
]
SESSION_FORMATS = [
    ("Thematic Workshop", 40),
    ("Interactive Session", 20),
    ("Country Workshop", 12),
    ("Knowledge Café", 10),
    ("High-Level Dialogue", 8),
    ("WSIS TalkX", 6),
    ("Hackathon", 4),
]
LANGUAGES = [("en", 70), ("fr", 10), ("es", 9), ("ar", 5), ("ru", 4), ("zh-hans", 2)]
# Speakers proposed for workshops lean male, as the forum's own figures do.
SPEAKER_GENDERS = [(Gender.MALE, 58), (Gender.FEMALE, 38), (Gender.OTHER, 2), (Gender.UNDISCLOSED, 2)]
HLTF_MECHANISMS = {
    "government": "Group of Friends of WSIS (Member States)",
    "private-sector": "International Chamber of Commerce, BASIS",
    "civil-society": "WSIS Civil Society Plenary",
    "academia": "Global Academic Network on the Information Society",
    "technical-community": "Internet technical community coordination group",
    "international-organization": "United Nations Group on the Information Society",
}
STATUSES = [(OcpStatus.SUBMITTED, 88), (OcpStatus.DRAFT, 7), (OcpStatus.WITHDRAWN, 5)]


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def _country_name(code: str) -> str:
    return str(countries.name(code))


def _seed_organisations() -> list[Organisation]:
    types = {stakeholder_type.slug: stakeholder_type for stakeholder_type in StakeholderType.objects.all()}
    existing = {(org.name.lower(), org.country.code): org for org in Organisation.objects.all()}
    missing = [
        Organisation(name=name, stakeholder_type=types[slug], country=code, website="https://example.org")
        for name, slug, code in ORGANISATIONS
        if (name.lower(), code) not in existing
    ]
    Organisation.objects.bulk_create(missing)
    existing = {(org.name.lower(), org.country.code): org for org in Organisation.objects.all()}
    return [existing[(name.lower(), code)] for name, _slug, code in ORGANISATIONS]


def _seed_regions() -> None:
    """Put the demo's countries in their region when no region lists them yet
    (the reference data leaves all but the CIS for staff to fill in)."""
    regions = list(Region.objects.all())
    listed = {country.code for region in regions for country in region.countries}
    for region in regions:
        extra = [code for code in COUNTRIES_BY_REGION.get(region.name, []) if code not in listed]
        if extra:
            region.countries = [country.code for country in region.countries] + extra
            region.save(update_fields=["countries"])


def _seed_stakeholders(rng: random.Random, organisations: list[Organisation]) -> list[User]:
    emails = [STAKEHOLDER_EMAIL.format(number) for number in range(1, STAKEHOLDER_COUNT + 1)]
    joined = dt.datetime(2019, 6, 1, tzinfo=dt.UTC)
    planned = []
    for index, email in enumerate(emails):
        gender = _weighted(rng, [(Gender.FEMALE, 47), (Gender.MALE, 48), (Gender.OTHER, 2), (Gender.UNDISCLOSED, 3)])
        first = rng.choice({Gender.FEMALE: FEMALE_NAMES, Gender.MALE: MALE_NAMES}.get(gender, OTHER_NAMES))
        organisation = organisations[index % len(organisations)]
        planned.append(
            User(
                email=email,
                first_name=first,
                last_name=rng.choice(LAST_NAMES),
                gender=gender,
                job_title=rng.choice(JOB_TITLES),
                organisation=organisation,
                stakeholder_type_id=organisation.stakeholder_type_id,
                country=organisation.country,
                preferred_language=_weighted(rng, LANGUAGES),
                date_joined=joined + dt.timedelta(days=rng.randrange(450)),
            )
        )
    existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    missing = [user for user in planned if user.email not in existing]
    if missing:
        # One hash for all of them (hashing is slow on purpose): they sign in with the demo password.
        password = make_password(DEMO_PASSWORD)
        for user in missing:
            user.password = password
        User.objects.bulk_create(missing)
    users = {user.email: user for user in User.objects.filter(email__in=emails)}
    verified = set(EmailAddress.objects.filter(email__in=emails).values_list("email", flat=True))
    EmailAddress.objects.bulk_create(
        [
            EmailAddress(user=users[email], email=email, verified=True, primary=True)
            for email in emails
            if email not in verified
        ]
    )
    return [users[email] for email in emails]


class _Choices:
    """The reference rows the entries point at."""

    def __init__(self, edition: Edition):
        self.action_lines = list(ActionLine.objects.order_by("position", "pk"))
        self.sdgs = list(SustainableDevelopmentGoal.objects.order_by("number"))
        formats = {session_format.name: session_format for session_format in SessionFormat.objects.all()}
        self.formats = [(formats[name], weight) for name, weight in SESSION_FORMATS if name in formats]
        self.tracks = list(Track.objects.filter(edition=edition).order_by("position", "pk"))
        self.types = {stakeholder_type.slug: stakeholder_type for stakeholder_type in StakeholderType.objects.all()}


def _person(rng: random.Random, gender: str) -> str:
    first = rng.choice({Gender.FEMALE: FEMALE_NAMES, Gender.MALE: MALE_NAMES}.get(gender, OTHER_NAMES))
    return f"{first} {rng.choice(LAST_NAMES)}"


def _fill(rng: random.Random, model, owner: User, choices: _Choices, *, index: int) -> tuple[dict, dict]:
    """The fields of one entry, and its many-to-many and speaker lists."""
    organisation = owner.organisation
    country = _country_name(organisation.country.code)
    topic = rng.choice(TOPICS)
    action_lines = rng.sample(choices.action_lines, rng.randint(1, 3))
    sdgs = rng.sample(choices.sdgs, rng.randint(1, 4))
    related = {"action_lines": action_lines, "sdgs": sdgs, "speakers": []}
    if model is Contribution:
        themes = rng.sample(TOPICS, 3)
        fields = {
            "thematic_aspects": (
                f"The forum should give more room to {topic}, which matters to our constituency in {country}. "
                f"We propose to link it explicitly to {action_lines[0].code} and to SDG {sdgs[0].number}."
            ),
            "format_innovations": rng.choice(
                [
                    "Hybrid sessions with remote speakers on an equal footing, and captions in all six UN languages.",
                    "Shorter interactive formats, a youth track run by young people, recordings online the same day.",
                    "Regional hubs joining the forum remotely, with time slots that suit Asia and the Americas.",
                    "A marketplace where projects from the Stocktaking database meet funders.",
                ]
            ),
            "suggested_themes": "\n".join(theme.capitalize() for theme in themes),
            "comments": rng.choice(["", "", "We are happy to co-organise a session on this theme."]),
        }
    elif model is WorkshopRequest:
        angle = rng.choice(ANGLES).format(country=country)
        track = rng.choice(choices.tracks) if choices.tracks and rng.random() < 0.35 else None
        moderator_gender = _weighted(rng, SPEAKER_GENDERS[:2])
        fields = {
            "title": f"{topic[0].upper()}{topic[1:]}: {angle}"[:255],
            "abstract": (
                f"This session brings together practitioners working on {topic} to share what worked in "
                f"{country} and elsewhere, discuss the obstacles that remain, and agree on recommendations "
                f"for the WSIS Action Lines ({', '.join(line.code for line in action_lines)})."
            ),
            "session_format": _weighted(rng, choices.formats) if choices.formats else None,
            "track": track,
            "language": _weighted(rng, LANGUAGES),
            "co_organisers": "\n".join(
                name for name, _slug, _code in rng.sample(ORGANISATIONS, rng.randint(0, 2)) if name != organisation.name
            ),
            "moderator_name": _person(rng, moderator_gender),
            "moderator_organisation": organisation.name,
            "binding_request": rng.random() < 0.3,
            "technical_needs": rng.choice(["", "", "Two remote speakers; interpretation into French.", "A projector."]),
        }
        speakers_orgs = [organisation.name] + [name for name, _slug, _code in ORGANISATIONS]
        for position in range(rng.randint(2, 5)):
            gender = _weighted(rng, SPEAKER_GENDERS)
            _name, _slug, code = rng.choice(ORGANISATIONS)
            related["speakers"].append(
                Speaker(
                    name=_person(rng, gender),
                    title=rng.choice(JOB_TITLES),
                    organisation=rng.choice(speakers_orgs[:1] * 3 + speakers_orgs),
                    country=code,
                    gender=gender,
                    participation=_weighted(rng, [(Participation.REMOTE, 60), (Participation.ON_SITE, 40)]),
                    position=position,
                )
            )
    elif model is ExhibitionRequest:
        fields = {
            "space_size": _weighted(
                rng, [(SpaceSize.TABLE, 30), (SpaceSize.SMALL, 40), (SpaceSize.MEDIUM, 20), (SpaceSize.LARGE, 10)]
            ),
            "showcase": (
                f"Live demonstrations of our work on {topic}, with the people who run it in {country}.\n"
                "Visitors can try the tools on tablets and take home a short guide."
            ),
            "needs_power": rng.random() < 0.8,
            "needs_internet": rng.random() < 0.5,
            "furniture_needs": rng.choice(["", "Two chairs and a high table.", "A screen stand and a counter."]),
        }
    elif model is SpeakerRecommendation:
        gender = _weighted(rng, SPEAKER_GENDERS)
        fields = {
            "speaker_name": _person(rng, gender),
            "speaker_title": rng.choice(JOB_TITLES),
            "speaker_organisation": rng.choice(ORGANISATIONS)[0],
            "topic": topic[0].upper() + topic[1:],
            "reason": f"A recognised voice on {topic}, who led the work in {country} and speaks to policy makers.",
        }
        related = {"action_lines": [], "sdgs": [], "speakers": []}
    else:
        slug = owner.stakeholder_type.slug if owner.stakeholder_type.slug in HLTF_MECHANISMS else "civil-society"
        gender = _weighted(rng, [(Gender.FEMALE, 50), (Gender.MALE, 50)])
        name = _person(rng, gender)
        title = rng.choice(["Minister", "Ambassador", "Chief Executive Officer", "Professor", "Secretary-General"])
        fields = {
            "nominating_stakeholder_type": choices.types[slug],
            "mechanism": HLTF_MECHANISMS[slug],
            "nominee_name": name,
            "nominee_title": title,
            "nominee_organisation": organisation.name,
            "nominee_country": organisation.country.code,
            "nominee_gender": gender,
            "nominee_email": f"hltf-nominee-{index:03d}@example.org",
            "biography": (
                f"{name} is {title} at {organisation.name}. Over twenty years in {topic}, "
                f"{name.split()[0]} has led national and regional programmes and chaired high-level panels "
                "on the information society."
            ),
            "languages": rng.choice(
                ["English", "English, French", "English, Spanish", "Arabic, English", "English, Russian"]
            ),
        }
        related = {"action_lines": [], "sdgs": [], "speakers": []}
    return fields, related


def _window(call: Call) -> tuple[dt.datetime, dt.datetime]:
    phase = call.submission_phase
    return phase.opens_at, phase.closes_at


def _moment(rng: random.Random, opens: dt.datetime, closes: dt.datetime) -> dt.datetime:
    """A moment in the window, more of them near the deadline."""
    seconds = (closes - opens).total_seconds() - 3600
    return opens + dt.timedelta(seconds=int(seconds * rng.betavariate(2.2, 1.0)))


def _allocate(*, tenant, prefix: str, year: int, count: int) -> list[str]:
    """``count`` consecutive references from the tenant's counter, as ``allocate_reference`` hands them out."""
    if not count:
        return []
    counter, _created = ReferenceCounter.objects.select_for_update().get_or_create(
        tenant=tenant, prefix=prefix, year=year
    )
    ReferenceCounter.objects.filter(pk=counter.pk).update(last_number=F("last_number") + count)
    counter.refresh_from_db(fields=["last_number"])
    first = counter.last_number - count + 1
    return [f"{prefix}-{year}-{number:05d}" for number in range(first, counter.last_number + 1)]


def _create(model, planned: list[tuple[OcpSubmission, dict, dict]]) -> None:
    """Insert the entries with their timestamps, history, choices and speakers."""
    if not planned:
        return
    entries = [entry for entry, _related, _times in planned]
    model.objects.bulk_create(entries)
    for entry, _related, times in planned:
        # bulk_create stamps created/updated with the clock: put the planned ones back.
        entry.created_at, entry.updated_at = times["created_at"], times["updated_at"]
        entry._history_date = times["updated_at"]
        entry._history_user = entry.owner
    model.objects.bulk_update(entries, ["created_at", "updated_at"])
    model.history.bulk_history_create(entries)
    for name in ("action_lines", "sdgs"):
        if not hasattr(model, name):
            continue
        field = model._meta.get_field(name)
        through = field.remote_field.through
        source, target = f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}_id"
        through.objects.bulk_create(
            [
                through(**{source: entry.pk, target: choice.pk})
                for entry, related, _times in planned
                for choice in related[name]
            ]
        )
    speakers = []
    for entry, related, _times in planned:
        for speaker in related["speakers"]:
            speaker.workshop = entry
            speaker._history_date = entry.created_at
            speakers.append(speaker)
    if speakers:
        Speaker.objects.bulk_create(speakers)
        Speaker.history.bulk_history_create(speakers)


def _seed_entries(rng: random.Random, *, tenant, edition: Edition, users: list[User]) -> None:
    choices = _Choices(edition)
    calls = {call.kind: call for call in Call.objects.filter(edition=edition)}
    nominators = [user for user in users if user.stakeholder_type.slug in HLTF_MECHANISMS]
    for model, count in ENTRY_COUNTS.items():
        call = calls.get(model.call_kind)
        if call is None or call.submission_phase is None:
            continue
        opens, closes = _window(call)
        # The whole plan is drawn every time, so the random sequence never depends on what exists.
        plan = []
        for index in range(count):
            owner = rng.choice(nominators if model is HltfNomination else users)
            status = _weighted(rng, STATUSES)
            fields, related = _fill(rng, model, owner, choices, index=index)
            submitted_at = _moment(rng, opens, closes) if status != OcpStatus.DRAFT else None
            started = (submitted_at or _moment(rng, opens, closes)) - dt.timedelta(hours=rng.randint(1, 24 * 40))
            created_at = max(started, opens + dt.timedelta(minutes=rng.randint(5, 600)))
            if submitted_at is not None:
                created_at = min(created_at, submitted_at - dt.timedelta(minutes=30))
            updated_at = submitted_at or created_at
            if status == OcpStatus.WITHDRAWN:
                updated_at = submitted_at + (closes - submitted_at) * (rng.random() * 0.9)
            plan.append(
                (owner, status, fields, related, {"created_at": created_at, "updated_at": updated_at}, submitted_at)
            )
        existing = Counter(model.objects.filter(call=call, owner__in=users).values_list("owner_id", flat=True))
        seen: Counter = Counter()
        new = []
        for owner, status, fields, related, times, submitted_at in plan:
            seen[owner.pk] += 1
            if seen[owner.pk] <= existing[owner.pk]:
                continue
            entry = model(
                tenant=tenant,
                call=call,
                owner=owner,
                organisation=owner.organisation,
                status=status,
                submitted_at=submitted_at,
                **fields,
            )
            new.append((entry, related, times))
        # References in the order the entries were submitted; withdrawn ones keep theirs.
        numbered = sorted((item for item in new if item[0].submitted_at), key=lambda item: item[0].submitted_at)
        references = _allocate(tenant=tenant, prefix=model.reference_prefix, year=edition.year, count=len(numbered))
        for (entry, _related, _times), reference in zip(numbered, references, strict=True):
            entry.reference = reference
        _create(model, new)


def _seed_current_drafts(*, tenant, edition: Edition, now: dt.datetime) -> None:
    """A few drafts of the demo stakeholder, so "My submissions" shows something."""
    owner = User.objects.filter(email="stakeholder@wsis.demo").select_related("organisation").first()
    if owner is None:
        return
    calls = {call.kind: call for call in Call.objects.filter(edition=edition)}
    choices = _Choices(edition)
    rng = random.Random(SEED + 1)
    for model in (Contribution, WorkshopRequest, ExhibitionRequest, SpeakerRecommendation):
        call = calls.get(model.call_kind)
        if call is None or model.objects.filter(call=call, owner=owner).exists():
            continue
        fields, related = _fill(rng, model, owner, choices, index=0)
        if model is WorkshopRequest:
            related["speakers"] = related["speakers"][:2]
        if model is ExhibitionRequest:
            fields["showcase"] = ""  # still missing: the checklist has something to say
        entry = model(tenant=tenant, call=call, owner=owner, organisation=owner.organisation, **fields)
        times = {"created_at": now - dt.timedelta(days=3), "updated_at": now - dt.timedelta(days=1)}
        _create(model, [(entry, related, times)])


@transaction.atomic
def seed_ocp_demo(*, tenant, edition: Edition, now: dt.datetime, current: Edition | None = None) -> dict[str, int]:
    """Seed the OCP of ``edition`` (and drafts in ``current``); returns the demo's counts per kind."""
    rng = random.Random(SEED)
    organisations = _seed_organisations()
    _seed_regions()
    users = _seed_stakeholders(rng, organisations)
    users = list(
        User.objects.filter(pk__in=[user.pk for user in users])
        .select_related("organisation", "stakeholder_type")
        .order_by("email")
    )
    _seed_entries(rng, tenant=tenant, edition=edition, users=users)
    if current is not None and current.pk != edition.pk:
        _seed_current_drafts(tenant=tenant, edition=current, now=now)
    return {
        str(model._meta.verbose_name_plural): model.objects.filter(call__edition=edition).count()
        for model in ENTRY_COUNTS
    }
