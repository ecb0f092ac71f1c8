"""A realistic Open Consultation Process for the demo tenant.

About 60 organisations of every stakeholder type from every region, 120
stakeholders, and some 300 entries answering the WSIS Forum 2021 calls (most
submitted, with reference numbers, a few drafts and withdrawn ones), so that
the admin lists and the final brief have something to show; and a few drafts
of the demo stakeholder in the current edition.

The agenda: some accepted workshop requests of 2021 and of the current edition
are scheduled as published sessions across the forum week (through
``session_schedule_from_workshop``, as the secretariat does), beside High-Level
Policy Sessions of 2021 facilitated by the selected High-Level Track
Facilitators, nominated by members of three coordination mechanisms. The 2021
final brief is published; the current edition's is a draft.

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
    CoordinationMechanism,
    ExhibitionRequest,
    FinalBrief,
    HltfNomination,
    OcpSubmission,
    Session,
    SessionFacilitator,
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

MANAGER_EMAIL = "manager@wsis.demo"  # the secretariat member who accepts and schedules
# How many workshop requests are accepted and scheduled as sessions.
SCHEDULED_2021 = 30
SCHEDULED_CURRENT = 8
# The forum week's slots (Geneva wall-clock start and end) and rooms; session i
# takes day i % 5, slot i // 5 % 4 and room i // 20, so no room holds two at once.
SLOTS = [((9, 0), (10, 30)), ((11, 0), (12, 30)), ((13, 30), (15, 0)), ((15, 30), (17, 0))]
ROOMS = ["Room K1", "Room K2", "Room C1", "Room C2", "Room H2"]
# Every third session can also be joined remotely.
VIRTUAL_URL = "https://meet.example.org/wsis-{year}-{number:03d}"
HIGH_LEVEL_POLICY_SESSION = "High-Level Policy Session"
# 2021's High-Level Policy Sessions, each on its own morning in the main hall.
HIGH_LEVEL_SESSIONS_2021 = [
    "High-Level Policy Session 1: Opening segment",
    "High-Level Policy Session 2: Bridging digital divides",
    "High-Level Policy Session 3: Building confidence and security in the use of ICTs",
    "High-Level Policy Session 4: ICT applications and services for the SDGs",
]
HIGH_LEVEL_ROOM = "Main Hall"
# The recognised coordination mechanisms, by the stakeholder type of their members.
MECHANISM_TYPES = ["government", "private-sector", "civil-society"]
SELECTED_FACILITATORS = 8  # accepted nominations of the mechanisms' members, two per session
BRIEF_INTRODUCTION_2021 = (
    "The Open Consultation Process of WSIS Forum 2021 ran from September 2020 to March 2021. "
    "Stakeholders from every region sent official contributions, workshop requests, exhibition requests, "
    "speaker recommendations and High-Level Track Facilitator nominations.\n\n"
    "The figures below describe who took part and what they asked for; they shaped the forum's agenda."
)
BRIEF_INTRODUCTION_DRAFT = "Draft: the figures of the consultation so far, for the secretariat."


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


def _accept(model, entries: list[OcpSubmission], *, by: User, when: dt.datetime) -> None:
    """Mark submitted demo entries accepted, with a history record, and no email."""
    entries = [entry for entry in entries if entry.status == OcpStatus.SUBMITTED]
    if not entries:
        return
    model.objects.filter(pk__in=[entry.pk for entry in entries]).update(status=OcpStatus.ACCEPTED, updated_at=when)
    for entry in entries:
        entry.status, entry.updated_at = OcpStatus.ACCEPTED, when
    model.history.bulk_history_create(entries, update=True, default_user=by, default_date=when)


def _slot(edition: Edition, index: int) -> tuple[dt.datetime, dt.datetime]:
    day = edition.starts_on + dt.timedelta(days=index % 5)
    (start_hour, start_minute), (end_hour, end_minute) = SLOTS[index // 5 % len(SLOTS)]
    zone = edition.zone
    return (
        dt.datetime.combine(day, dt.time(start_hour, start_minute), tzinfo=zone),
        dt.datetime.combine(day, dt.time(end_hour, end_minute), tzinfo=zone),
    )


def _schedule_workshops(*, edition: Edition, count: int, by: User, when: dt.datetime) -> list[Session]:
    """Accept the first ``count`` submitted workshop requests of ``edition`` (by
    reference: the same ones on every run) and schedule them as published sessions."""
    from .agenda import session_schedule_from_workshop

    workshops = list(
        WorkshopRequest.objects.filter(
            call__edition=edition, status__in=[OcpStatus.SUBMITTED, OcpStatus.ACCEPTED]
        ).order_by("reference")[:count]
    )
    _accept(WorkshopRequest, workshops, by=by, when=when)
    scheduled = set(Session.objects.filter(workshop__in=workshops).values_list("workshop_id", flat=True))
    sessions = []
    for index, workshop in enumerate(workshops):
        if workshop.pk in scheduled:
            continue
        starts_at, ends_at = _slot(edition, index)
        sessions.append(
            session_schedule_from_workshop(
                workshop=workshop,
                starts_at=starts_at,
                ends_at=ends_at,
                room=ROOMS[index // 20 % len(ROOMS)],
                virtual_url=VIRTUAL_URL.format(year=edition.year, number=index + 1) if index % 3 == 0 else "",
                by=by,
            )
        )
    return sessions


def _seed_current_accepted_workshops(*, tenant, edition: Edition, users: list[User], now: dt.datetime) -> None:
    """A few early-accepted workshop requests of the current edition, so its agenda is not empty."""
    call = Call.objects.filter(edition=edition, kind=WorkshopRequest.call_kind).first()
    if call is None or call.submission_phase is None:
        return
    rng = random.Random(SEED + 2)
    owners = rng.sample(users, SCHEDULED_CURRENT)
    existing = set(WorkshopRequest.objects.filter(call=call, owner__in=owners).values_list("owner_id", flat=True))
    choices = _Choices(edition)
    opens = call.submission_phase.opens_at
    new = []
    for index, owner in enumerate(owners):
        fields, related = _fill(rng, WorkshopRequest, owner, choices, index=index)
        if owner.pk in existing:
            continue
        submitted_at = min(now, opens + (now - opens) * (index + 1) / (SCHEDULED_CURRENT + 1))
        entry = WorkshopRequest(
            tenant=tenant,
            call=call,
            owner=owner,
            organisation=owner.organisation,
            status=OcpStatus.ACCEPTED,
            submitted_at=submitted_at,
            **fields,
        )
        times = {"created_at": submitted_at - dt.timedelta(days=2), "updated_at": submitted_at}
        new.append((entry, related, times))
    references = _allocate(tenant=tenant, prefix=WorkshopRequest.reference_prefix, year=edition.year, count=len(new))
    for (entry, _related, _times), reference in zip(new, references, strict=True):
        entry.reference = reference
    _create(WorkshopRequest, new)


def _seed_high_level_sessions(*, tenant, edition: Edition, by: User, when: dt.datetime) -> None:
    """2021's High-Level Policy Sessions, the three coordination mechanisms, and
    the selected facilitators (accepted nominations of the mechanisms' members)
    assigned two to a session."""
    from .facilitators import facilitator_assign

    session_format = SessionFormat.objects.filter(name=HIGH_LEVEL_POLICY_SESSION).first()
    sessions = []
    for index, title in enumerate(HIGH_LEVEL_SESSIONS_2021):
        day = edition.starts_on + dt.timedelta(days=index)
        starts_at = dt.datetime.combine(day, dt.time(8, 0), tzinfo=edition.zone)
        session, _created = Session.objects.get_or_create(
            edition=edition,
            title=title,
            defaults={
                "description": "Ministers and leaders of every stakeholder group on the WSIS Action Lines.",
                "starts_at": starts_at,
                "ends_at": starts_at + dt.timedelta(minutes=55),
                "room": HIGH_LEVEL_ROOM,
                "virtual_url": VIRTUAL_URL.format(year=edition.year, number=900 + index),
                "session_format": session_format,
                "language": "en",
                "is_published": True,
            },
        )
        sessions.append(session)

    members = []
    types = {stakeholder_type.slug: stakeholder_type for stakeholder_type in StakeholderType.objects.all()}
    for slug in MECHANISM_TYPES:
        mechanism, _created = CoordinationMechanism.objects.get_or_create(
            tenant=tenant, name=HLTF_MECHANISMS[slug], defaults={"stakeholder_type": types[slug]}
        )
        organisations = list(Organisation.objects.filter(name__in=[n for n, t, _c in ORGANISATIONS if t == slug]))
        mechanism.organisations.add(*organisations)
        members.extend(organisations)

    nominations = list(
        HltfNomination.objects.filter(
            call__edition=edition,
            status__in=[OcpStatus.SUBMITTED, OcpStatus.ACCEPTED],
            organisation__in=members,
            mechanism__in=[HLTF_MECHANISMS[slug] for slug in MECHANISM_TYPES],
        )
        .select_related("tenant")
        .order_by("reference")[:SELECTED_FACILITATORS]
    )
    _accept(HltfNomination, nominations, by=by, when=when)
    if session_format is None:
        return  # no such format in the reference data: nothing to facilitate
    assigned = set(SessionFacilitator.objects.filter(session__in=sessions).values_list("session_id", "nomination_id"))
    for index, nomination in enumerate(nominations):
        session = sessions[index // 2 % len(sessions)]
        if (session.pk, nomination.pk) not in assigned:
            facilitator_assign(session, nomination, by=by)


def _seed_agenda(*, tenant, edition: Edition, current: Edition | None, users: list[User], now: dt.datetime) -> None:
    manager = User.objects.filter(email=MANAGER_EMAIL).first()
    if manager is None:
        return  # seeded without the demo logins: nobody to decide
    decided = edition.starts_on - dt.timedelta(days=30)
    decided_at = dt.datetime.combine(decided, dt.time(10, 0), tzinfo=edition.zone)
    sessions = _schedule_workshops(edition=edition, count=SCHEDULED_2021, by=manager, when=decided_at)
    _seed_high_level_sessions(tenant=tenant, edition=edition, by=manager, when=decided_at)
    Session.objects.filter(pk__in=[session.pk for session in sessions]).update(is_published=True)
    if current is not None and current.pk != edition.pk:
        _seed_current_accepted_workshops(tenant=tenant, edition=current, users=users, now=now)
        sessions = _schedule_workshops(edition=current, count=SCHEDULED_CURRENT, by=manager, when=now)
        # The last one waits for the secretariat's "Publish on the agenda".
        Session.objects.filter(pk__in=[session.pk for session in sessions[:-1]]).update(is_published=True)


def _seed_briefs(*, edition: Edition, current: Edition | None) -> None:
    published_at = dt.datetime.combine(edition.starts_on - dt.timedelta(days=28), dt.time(12, 0), tzinfo=edition.zone)
    FinalBrief.objects.get_or_create(
        edition=edition, defaults={"introduction": BRIEF_INTRODUCTION_2021, "published_at": published_at}
    )
    if current is not None and current.pk != edition.pk:
        FinalBrief.objects.get_or_create(edition=current, defaults={"introduction": BRIEF_INTRODUCTION_DRAFT})


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
    _seed_agenda(tenant=tenant, edition=edition, current=current, users=users, now=now)
    _seed_briefs(edition=edition, current=current)
    return {
        str(model._meta.verbose_name_plural): model.objects.filter(call__edition=edition).count()
        for model in ENTRY_COUNTS
    }
