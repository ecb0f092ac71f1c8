"""The WSIS Prizes of the demo tenant: a contest for each demo edition (the 18
reference categories, the 2021 special prize, the 2026 criteria) and about 100
entries into the 2021 contest from the demo organisations.

The entries' owners are the demo stakeholders that ``ocp.demo`` creates
(``demo-stakeholder-NNN@wsis.demo``); without them no entry is made. Every run
draws the same plan from ``random.Random(SEED)``; an (organisation, category)
pair that already has an entry is skipped, so a second run creates nothing.
Rows are written directly, never through the submit service: no email is
queued. Reference numbers take the tenant's ``ReferenceCounter`` along.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.db.models import F

from wsis_portal.accounts.models import User
from wsis_portal.editions.enums import CallKind, SubmissionStatus
from wsis_portal.editions.models import Call, Edition, ReferenceCounter
from wsis_portal.reference.models import SustainableDevelopmentGoal

from .enums import CompletionStatus
from .models import Contest, ContestCategory, PrizeEntry
from .services import contest_ensure, special_prize_add

SEED = 2021
ENTRY_COUNT = 100
DEMO_OWNERS = {"email__startswith": "demo-stakeholder-", "email__endswith": "@wsis.demo"}
SPECIAL_PRIZES = {2021: ["Healthy Ageing Innovation"]}
STATUSES = [(SubmissionStatus.SUBMITTED, 85), (SubmissionStatus.DRAFT, 10), (SubmissionStatus.WITHDRAWN, 5)]

# What a project does, by the topic of its category (prize category number; 0 for special prizes).
TOPICS = {
    1: ("national digital strategy", "a whole-of-government plan for connectivity and digital skills"),
    2: ("rural broadband", "community networks and shared towers in underserved districts"),
    3: ("open data portal", "public datasets and libraries opened to every citizen"),
    4: ("digital skills academy", "training for teachers, women and young people in digital skills"),
    5: ("cyber resilience centre", "incident response and awareness for small businesses"),
    6: ("regulatory sandbox", "a framework that lets innovators test services with consumers protected"),
    7: ("one-stop e-services", "government services online and on mobile phones"),
    8: ("digital marketplace", "small traders selling online with mobile payments"),
    9: ("virtual classrooms", "remote learning for schools cut off during the pandemic"),
    10: ("telemedicine network", "rural clinics linked to specialists by video consultations"),
    11: ("online job platform", "matching young job seekers with remote work"),
    12: ("early warning system", "climate and disaster alerts sent by SMS and radio"),
    13: ("farmers' advisory service", "weather, prices and crop advice on basic phones"),
    14: ("research data cloud", "shared computing and open science for universities"),
    15: ("local content hub", "news and learning material in indigenous languages"),
    16: ("community media network", "radio and online media run by local volunteers"),
    17: ("digital ethics charter", "principles for privacy and responsible artificial intelligence"),
    18: ("regional cooperation platform", "countries sharing infrastructure and expertise"),
    0: ("digital companions for older people", "tablets, training and tele-care for people over 65"),
}

SENTENCES = [
    "The {name} started in {year} as a pilot and now serves people across {country}.",
    "It offers {what}, designed together with the communities that use it.",
    "Before the project, most people in the target areas had no affordable way to reach these services.",
    "The team combined open-source software, local partners and training,"
    " so that the service keeps running without outside help.",
    "More than {people} people have used it so far, about half of them women and girls.",
    "Local authorities, universities and private companies share the costs and the work.",
    "Every step is measured: usage, satisfaction and the time people save are published each quarter.",
    "The approach respects privacy, works on low-cost phones and is available in several languages.",
    "Other regions have asked to adopt the model, and a guide for replication has been written.",
    "The project contributes directly to the WSIS Action Lines and to the Sustainable Development Goals.",
    "Volunteers from the community help newcomers and collect their suggestions for improvement.",
    "During the pandemic the service doubled its capacity within weeks and kept essential activities going.",
    "Next, the team plans to reach remote islands and mountain villages and to train local technicians.",
    "The results show that well-designed digital services reduce inequalities instead of widening them.",
]


def _short_description(rng: random.Random, values: dict) -> str:
    """A text of 150 to 200 words built from the sentences above."""
    words: list[str] = []
    order = SENTENCES[:]
    rng.shuffle(order)
    target = rng.randint(160, 195)
    index = 0
    while len(words) < target:
        words.extend(order[index % len(order)].format(**values).split())
        index += 1
    return " ".join(words[:target]).rstrip(".,") + "."


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


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def seed_contest(*, edition: Edition) -> Contest:
    contest = contest_ensure(edition=edition)
    for name in SPECIAL_PRIZES.get(edition.year, []):
        special_prize_add(contest=contest, name=name)
    return contest


def _seed_entries(*, tenant, contest: Contest, call: Call, count: int) -> int:
    owners = list(User.objects.filter(**DEMO_OWNERS, organisation__isnull=False).select_related("organisation"))
    owners.sort(key=lambda user: user.email)
    categories = list(ContestCategory.objects.filter(contest=contest).select_related("prize_category"))
    if not owners or not categories:
        return 0
    rng = random.Random(SEED)
    sdgs = list(SustainableDevelopmentGoal.objects.all())
    phase = call.submission_phase
    opens, closes = phase.opens_at, phase.closes_at
    taken = set(PrizeEntry.objects.filter(call=call).values_list("organisation_id", "category_id"))
    # The whole plan is drawn every time, so the random sequence never depends on what exists.
    planned = []
    pairs_seen = set()
    while len(planned) < count and len(pairs_seen) < len(owners) * len(categories):
        owner = rng.choice(owners)
        category = rng.choice(categories)
        pair = (owner.organisation_id, category.pk)
        if pair in pairs_seen:
            continue
        pairs_seen.add(pair)
        number = category.prize_category.number if category.prize_category else 0
        name, what = TOPICS[number]
        country = owner.organisation.country
        values = {
            "name": name,
            "what": what,
            "year": rng.randint(2015, 2020),
            "country": country.name,
            "people": f"{rng.randint(2, 400) * 1000:,}",
        }
        status = _weighted(rng, STATUSES)
        seconds = int((closes - opens).total_seconds() * rng.betavariate(2.2, 1.0)) - 3600
        moment = opens + dt.timedelta(seconds=max(seconds, 3600))
        entry = PrizeEntry(
            tenant=tenant,
            call=call,
            owner=owner,
            organisation=owner.organisation,
            category=category,
            status=status,
            submitted_at=None if status == SubmissionStatus.DRAFT else moment,
            title=f"{name[0].upper()}{name[1:]} — {owner.organisation.name}"[:255],
            short_description=_short_description(rng, values),
            full_description=f"{what[0].upper()}{what[1:]}. " + _short_description(rng, values),
            in_english=True,
            stakeholder_type_id=owner.organisation.stakeholder_type_id,
            country=country.code,
            economic_impact="Lower costs for users and new income for local businesses.",
            social_impact="Wider access for women, young people, older people and persons with disabilities.",
            environmental_impact="Fewer journeys and less paper." if rng.random() < 0.6 else "",
            partnerships="Ministries, universities, private companies and civil society groups.",
            challenges_and_future="Sustainable funding and reaching the last mile; next, scaling to new regions.",
            completion_status=rng.choice(CompletionStatus.values),
            website=owner.organisation.website,
        )
        chosen_sdgs = rng.sample(sdgs, k=rng.randint(1, 4))
        planned.append((entry, chosen_sdgs, moment))
    new = [item for item in planned if (item[0].organisation_id, item[0].category_id) not in taken]
    numbered = sorted((item for item in new if item[0].submitted_at), key=lambda item: item[0].submitted_at)
    references = _allocate(
        tenant=tenant, prefix=PrizeEntry.reference_prefix, year=contest.edition.year, count=len(numbered)
    )
    for (entry, _sdgs, _moment), reference in zip(numbered, references, strict=True):
        entry.reference = reference
    entries = [entry for entry, _sdgs, _moment in new]
    PrizeEntry.objects.bulk_create(entries)
    for entry, _sdgs, moment in new:
        # bulk_create stamps created/updated with the clock: put the planned ones back.
        entry.created_at = entry.updated_at = moment
        entry._history_date = moment
        entry._history_user = entry.owner
    PrizeEntry.objects.bulk_update(entries, ["created_at", "updated_at"])
    PrizeEntry.history.bulk_history_create(entries)
    through = PrizeEntry.sdgs.through
    through.objects.bulk_create(
        [
            through(prizeentry_id=entry.pk, sustainabledevelopmentgoal_id=sdg.pk)
            for entry, chosen, _m in new
            for sdg in chosen
        ]
    )
    return len(new)


@transaction.atomic
def seed_prizes_demo(*, tenant, editions: list[Edition], history_edition: Edition) -> dict[str, int]:
    """A contest for each of ``editions`` and about 100 entries into the
    contest of ``history_edition``; returns the counts (safe to run again)."""
    contests = {edition.pk: seed_contest(edition=edition) for edition in {*editions, history_edition}}
    call = Call.objects.filter(edition=history_edition, kind=CallKind.PRIZES).prefetch_related("phases").first()
    created = 0
    if call is not None and call.submission_phase is not None:
        created = _seed_entries(tenant=tenant, contest=contests[history_edition.pk], call=call, count=ENTRY_COUNT)
    return {
        "contests": len(contests),
        "entries": PrizeEntry.objects.filter(call__edition=history_edition).count(),
        "created": created,
    }


# --- moving a demo contest through its phases ------------------------------------------

DEMO_NOMINEES_PER_CATEGORY = 5
DEMO_VOTERS = 40


def _redate(call: Call, *, phase_key: str, now: dt.datetime) -> None:
    """Shift every phase of ``call`` (and its extensions) by one amount so that
    ``phase_key`` is in the middle of its window at ``now``; order, lengths
    and gaps stay as they were."""
    phases = list(call.phases.all())
    target = next(phase for phase in phases if phase.key == phase_key)
    shift = now - (target.opens_at + (target.closes_at - target.opens_at) / 2)
    for phase in phases:
        type(phase).objects.filter(pk=phase.pk).update(
            opens_at=phase.opens_at + shift, closes_at=phase.closes_at + shift
        )
    for extension in call.extensions.all():
        type(extension).objects.filter(pk=extension.pk).update(closes_at=extension.closes_at + shift)


def _nominate(*, contest: Contest, now: dt.datetime) -> int:
    """The first submitted entries of each category become nominees (when none is yet)."""
    if PrizeEntry.objects.filter(category__contest=contest, nominated_at__isnull=False).exists():
        return 0
    chosen = []
    for category in ContestCategory.objects.filter(contest=contest):
        entries = PrizeEntry.objects.filter(category=category, status=SubmissionStatus.SUBMITTED).order_by("pk")
        chosen += list(entries.values_list("pk", flat=True)[:DEMO_NOMINEES_PER_CATEGORY])
    return PrizeEntry.objects.filter(pk__in=chosen).update(nominated_at=now)


def _vote(*, contest: Contest, voting_opens: dt.datetime) -> int:
    """Demo stakeholders vote once in each category with nominees (when nobody has voted yet)."""
    from .models import Vote

    if Vote.objects.filter(category__contest=contest).exists():
        return 0
    voters = list(User.objects.filter(**DEMO_OWNERS).order_by("email")[:DEMO_VOTERS])
    rng = random.Random(SEED)
    nominees: dict[int, list[int]] = {}
    for category_id, entry_id in PrizeEntry.objects.filter(
        category__contest=contest, nominated_at__isnull=False
    ).values_list("category_id", "pk"):
        nominees.setdefault(category_id, []).append(entry_id)
    votes = [
        Vote(
            category_id=category_id,
            entry_id=rng.choice(sorted(entries)[: 1 + index % len(entries)]),
            voter=voter,
            cast_at=voting_opens + dt.timedelta(hours=1 + index),
            user_agent="Mozilla/5.0 (demo)",
        )
        for category_id, entries in sorted(nominees.items())
        for index, voter in enumerate(voters)
    ]
    Vote.objects.bulk_create(votes)
    return len(votes)


def _confirm_winners(*, contest: Contest, now: dt.datetime) -> int:
    """The best-placed Champion of each category without a Winner wins."""
    from .models import Champion, Winner

    made = 0
    for category in ContestCategory.objects.filter(contest=contest, winner__isnull=True):
        champion = Champion.objects.filter(category=category).order_by("rank", "pk").first()
        if champion is not None:
            Winner.objects.create(category=category, champion=champion, confirmed_at=now)
            made += 1
    return made


@transaction.atomic
def contest_move_to_phase(*, contest: Contest, phase_key: str, now: dt.datetime) -> dict[str, int]:
    """Move the demo ``contest`` so that ``phase_key`` is open at ``now``: its
    phases are re-dated, what the earlier phases would have produced is
    seeded (nominees, votes of the demo stakeholders, Winners) and the phase
    engine runs the boundaries that passed (nominees published, the tally,
    the announcement). Forward only in effect: what already ran stays; a
    second run with the same phase changes nothing more."""
    from wsis_portal.editions.engine import run_due_boundaries

    from .enums import PHASE_ANNOUNCEMENT, PHASE_KEYS, PHASE_NOMINATION, PHASE_SELECTION, PHASE_VOTING

    call = Call.objects.filter(edition=contest.edition, kind=CallKind.PRIZES).prefetch_related("phases").first()
    if call is None or phase_key not in {phase.key for phase in call.phases.all()}:
        raise ValueError(f"the contest's call has no phase {phase_key!r}")
    counts = {"entries": 0, "nominees": 0, "votes": 0, "winners": 0}
    if not PrizeEntry.objects.filter(call=call).exists() and call.submission_phase is not None:
        counts["entries"] = _seed_entries(tenant=contest.edition.tenant, contest=contest, call=call, count=ENTRY_COUNT)
    _redate(call, phase_key=phase_key, now=now)
    call = Call.objects.prefetch_related("phases").get(pk=call.pk)
    by_key = {phase.key: phase for phase in call.phases.all()}
    reached = PHASE_KEYS.index(phase_key) if phase_key in PHASE_KEYS else -1
    if reached >= PHASE_KEYS.index(PHASE_VOTING):
        nominated_at = by_key.get(PHASE_NOMINATION, by_key[PHASE_VOTING]).opens_at
        counts["nominees"] = _nominate(contest=contest, now=nominated_at)
    if reached >= PHASE_KEYS.index(PHASE_SELECTION):
        counts["votes"] = _vote(contest=contest, voting_opens=by_key[PHASE_VOTING].opens_at)
        # The tally runs at the close of the voting, before any Winner is chosen.
        run_due_boundaries(now=by_key[PHASE_SELECTION].opens_at)
    if reached >= PHASE_KEYS.index(PHASE_ANNOUNCEMENT):
        counts["winners"] = _confirm_winners(contest=contest, now=by_key[PHASE_SELECTION].opens_at)
    counts["boundaries"] = run_due_boundaries(now=now)
    return counts
