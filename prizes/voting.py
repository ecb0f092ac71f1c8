"""Public online voting of the WSIS Prizes.

- Who: a logged-in account whose email address is confirmed (allauth's
  ``EmailAddress.verified``); one vote per category, for a nominee of that
  category (``nominated_at`` set, submitted, not withdrawn); only while the
  contest's voting phase is open (``opens_at <= now < closes_at``, to the second).
- One vote per voter and category is the database's unique constraint
  ``prizes_vote_once_per_category``: the vote is one ``INSERT ... ON CONFLICT
  DO NOTHING``, so a double click or two racing requests leave one row and the
  loser is told "You have already voted in this category".
- Integrity: each vote keeps its client address, user agent and the account's
  age; the quarantine rules (``voting_integrity.QUARANTINE_RULES``) may store it ``quarantined``
  with their reason codes. The voter sees the same confirmation either way.
  Staff release (→ valid) or void a vote through ``votes_release`` /
  ``votes_void``; nothing is deleted. Only ``Vote.objects.valid()`` counts.
- Rate limits: per account and per client address, fixed windows counted in
  the cache (Redis in production), see ``voting_integrity.rate_limit_hit``.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.db import connection
from django.db.models import CharField, Count, Exists, Func, OuterRef, QuerySet, Value
from django.db.models.functions import Cast, Concat, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from wsis_portal.editions.enums import CallKind, SubmissionStatus
from wsis_portal.editions.models import Phase

from .enums import PHASE_VOTING, VoteStatus
from .models import Contest, ContestCategory, PrizeEntry, Vote
from .voting_integrity import VoteSignals, count_address_vote, quarantine_reasons

# --- errors -------------------------------------------------------------------------


class VotingError(Exception):
    """A vote the service refuses; ``code`` says why, ``message`` is for the voter."""

    NOT_CONFIRMED = "not_confirmed"
    CLOSED = "closed"
    NOT_NOMINEE = "not_nominee"
    WITHDRAWN = "withdrawn"
    ALREADY_VOTED = "already_voted"

    def __init__(self, code: str, message: str, *, vote: Vote | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.vote = vote


def already_voted_message() -> str:
    return _("You have already voted in this category.")


# --- the voting phase ---------------------------------------------------------------


def _voting_phase(edition_id) -> QuerySet:
    return Phase.objects.filter(call__edition_id=edition_id, call__kind=CallKind.PRIZES, key=PHASE_VOTING)


def voting_phase(*, contest: Contest) -> Phase | None:
    """The voting phase of the contest's prizes call (one query)."""
    return _voting_phase(contest.edition_id).first()


def is_open(phase: Phase | None, now: dt.datetime) -> bool:
    # The voting phase is never extended: its own dates are the window.
    return phase is not None and phase.opens_at <= now < phase.closes_at


# --- reads ---------------------------------------------------------------------------


def categories_open_to_voting(*, contest: Contest) -> list[ContestCategory]:
    """The contest's active categories that have nominees (one query)."""
    nominees = PrizeEntry.objects.filter(
        category=OuterRef("pk"), status=SubmissionStatus.SUBMITTED, nominated_at__isnull=False
    )
    return list(
        ContestCategory.objects.filter(contest=contest, active=True)
        .filter(Exists(nominees))
        .select_related("prize_category__action_line")
    )


def category_for_voting(*, tenant, contest: Contest, pk: int) -> ContestCategory | None:
    return (
        ContestCategory.objects.filter(pk=pk, contest=contest, contest__edition__tenant=tenant, active=True)
        .select_related("prize_category__action_line")
        .first()
    )


class MD5(Func):
    function = "MD5"
    output_field = CharField()


def voter_seed(*, user=None, anonymous_seed: str = "") -> str:
    """What the nominees' order is shuffled by: the account, else the visitor's cookie."""
    if user is not None and user.is_authenticated:
        return f"voter-{user.pk}"
    return f"visitor-{anonymous_seed}"


def new_anonymous_seed() -> str:
    return secrets.token_urlsafe(12)


def nominees_for_voter(*, category: ContestCategory, seed: str) -> list[PrizeEntry]:
    """The category's nominees in an order shuffled per voter and stable for
    that voter: sorted by a hash of ``seed`` and the entry's id (one query)."""
    return list(
        PrizeEntry.objects.filter(category=category, status=SubmissionStatus.SUBMITTED, nominated_at__isnull=False)
        .select_related("organisation")
        .annotate(shuffle=MD5(Concat(Value(f"{seed}:"), Cast("pk", CharField()))))
        .order_by("shuffle", "pk")
    )


def votes_of_voter(*, user, contest: Contest) -> list[Vote]:
    """The voter's votes in the contest, in category order (one query)."""
    return list(
        Vote.objects.filter(voter=user, category__contest=contest)
        .select_related("entry__organisation", "category__prize_category__action_line")
        .order_by("category__position", "category_id")
    )


def is_confirmed(user) -> bool:
    return EmailAddress.objects.filter(user=user, verified=True).exists()


# --- the vote ------------------------------------------------------------------------

INSERT_VOTE = (
    "INSERT INTO {table} (category_id, entry_id, voter_id, cast_at, status, reasons, ip_address, user_agent,"
    " account_age_seconds, seconds_since_email_confirmed) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
    # No conflict target: the only unique constraint besides the key is
    # ``prizes_vote_once_per_category``, which alone decides (see the race test).
    " ON CONFLICT DO NOTHING RETURNING id"
)


CHECKS = """
SELECT
  EXISTS (SELECT 1 FROM {phase} p JOIN {call} c ON c.id = p.call_id
          WHERE c.edition_id = ct.edition_id AND c.kind = %s AND p.key = %s
            AND p.opens_at <= %s AND p.closes_at > %s),
  EXISTS (SELECT 1 FROM {email} e WHERE e.user_id = %s AND e.verified),
  EXISTS (SELECT 1 FROM {entry} pe WHERE pe.id = %s AND pe.category_id = cc.id
            AND pe.status = %s AND pe.nominated_at IS NOT NULL)
FROM {category} cc JOIN {contest} ct ON ct.id = cc.contest_id
WHERE cc.id = %s
"""


def _checks(*, category: ContestCategory, entry_id: int, voter, now: dt.datetime) -> dict | None:
    """The window, the voter's confirmation and the nominee, in one query.

    Plain SQL: the vote is the busiest write of a voting month, and building
    this query through the ORM cost more CPU than running it. The same
    conditions as ``_voting_phase`` / ``is_confirmed`` / ``nominees_for_voter``
    (tests/prizes/test_voting.py covers each refusal)."""
    sql = CHECKS.format(
        **{
            name: connection.ops.quote_name(model._meta.db_table)
            for name, model in {
                "phase": Phase,
                "call": Phase._meta.get_field("call").related_model,
                "email": EmailAddress,
                "entry": PrizeEntry,
                "category": ContestCategory,
                "contest": Contest,
            }.items()
        }
    )
    moment = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                CallKind.PRIZES,
                PHASE_VOTING,
                moment,
                moment,
                voter.pk,
                entry_id,
                SubmissionStatus.SUBMITTED,
                category.pk,
            ],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    return {"open": bool(row[0]), "confirmed": bool(row[1]), "nominee": bool(row[2])}


def _not_nominee_error(*, category: ContestCategory, entry_id: int) -> VotingError:
    entry = PrizeEntry.objects.filter(pk=entry_id, category=category).values("status", "nominated_at").first()
    if entry is not None and entry["status"] == SubmissionStatus.WITHDRAWN:
        return VotingError(VotingError.WITHDRAWN, _("This project was withdrawn: it can no longer receive votes."))
    return VotingError(VotingError.NOT_NOMINEE, _("This project is not a nominee of this category."))


def existing_vote(*, category: ContestCategory, voter) -> Vote | None:
    return Vote.objects.filter(category=category, voter=voter).select_related("entry").first()


def vote_cast(
    *, category: ContestCategory, entry_id: int, voter, signals: VoteSignals, now: dt.datetime | None = None
) -> Vote:
    """Store ``voter``'s vote for ``entry_id`` in ``category``; returns the new
    vote (``status`` valid or quarantined, with ``reasons``). Refused with a
    ``VotingError``: voter's email not confirmed, outside the voting phase,
    an entry that is not a nominee of the category (or withdrawn), a second
    vote in the category (``ALREADY_VOTED``, with the existing ``vote``).

    Two queries when it succeeds: the checks and the insert; the unique
    constraint decides between racing requests."""
    now = now or timezone.now()
    checks = _checks(category=category, entry_id=entry_id, voter=voter, now=now)
    if checks is None or not checks["open"]:
        raise VotingError(VotingError.CLOSED, _("Voting is not open: votes are accepted during the voting phase only."))
    if not checks["confirmed"]:
        raise VotingError(VotingError.NOT_CONFIRMED, _("Please confirm your email address before you vote."))
    if not checks["nominee"]:
        raise _not_nominee_error(category=category, entry_id=entry_id)
    reasons = [reason.code for reason in quarantine_reasons(signals)]
    status = VoteStatus.QUARANTINED if reasons else VoteStatus.VALID
    # ``reasons`` is a JSON list: passed as text, cast by the column type.
    with connection.cursor() as cursor:
        cursor.execute(
            INSERT_VOTE.format(table=connection.ops.quote_name(Vote._meta.db_table)),
            [
                category.pk,
                entry_id,
                voter.pk,
                now,
                status,
                json.dumps(reasons),
                signals.ip_address,
                signals.user_agent,
                signals.account_age_seconds,
                signals.seconds_since_email_confirmed,
            ],
        )
        row = cursor.fetchone()
    if row is None:
        raise VotingError(
            VotingError.ALREADY_VOTED,
            already_voted_message(),
            vote=existing_vote(category=category, voter=voter),
        )
    count_address_vote(signals.ip_address, now)
    return Vote(
        pk=row[0],
        category=category,
        entry_id=entry_id,
        voter=voter,
        cast_at=now,
        status=status,
        reasons=reasons,
        ip_address=signals.ip_address,
        user_agent=signals.user_agent,
        account_age_seconds=signals.account_age_seconds,
        seconds_since_email_confirmed=signals.seconds_since_email_confirmed,
    )


# --- staff review ------------------------------------------------------------------

#: Which statuses a review may move a vote from.
RELEASABLE = [VoteStatus.QUARANTINED]
VOIDABLE = [VoteStatus.QUARANTINED, VoteStatus.VALID]


def _review(*, votes: Iterable[Vote] | QuerySet, to: str, allowed: list[str], by, now) -> int:
    pks = [vote.pk for vote in votes]
    # Compare-and-set: a vote another staff member changed meanwhile stays as it is.
    return Vote.objects.filter(pk__in=pks, status__in=allowed).update(status=to, reviewed_by=by, reviewed_at=now)


def votes_release(*, votes: Iterable[Vote] | QuerySet, by, now: dt.datetime | None = None) -> int:
    """Quarantined votes become valid (they count); returns how many changed."""
    return _review(votes=votes, to=VoteStatus.VALID, allowed=RELEASABLE, by=by, now=now or timezone.now())


def votes_void(*, votes: Iterable[Vote] | QuerySet, by, now: dt.datetime | None = None) -> int:
    """Quarantined or valid votes become void (kept, never counted); returns how many changed."""
    return _review(votes=votes, to=VoteStatus.VOIDED, allowed=VOIDABLE, by=by, now=now or timezone.now())


# --- the staff dashboard ------------------------------------------------------------


@dataclass
class DayCounts:
    day: dt.date
    valid: int = 0
    quarantined: int = 0
    voided: int = 0

    @property
    def total(self) -> int:
        return self.valid + self.quarantined + self.voided


@dataclass
class CategorySeries:
    category: ContestCategory
    days: list[DayCounts]

    @property
    def totals(self) -> DayCounts:
        total = DayCounts(day=None)
        for day in self.days:
            total.valid += day.valid
            total.quarantined += day.quarantined
            total.voided += day.voided
        return total


def votes_per_day(*, contest: Contest, zone) -> list[CategorySeries]:
    """Per category, per day in the edition's time zone, the votes by status
    (two queries: the categories and one aggregate)."""
    categories = list(ContestCategory.objects.filter(contest=contest).select_related("prize_category__action_line"))
    rows = (
        Vote.objects.filter(category__contest=contest)
        .annotate(day=TruncDate("cast_at", tzinfo=zone))
        .values("category_id", "day", "status")
        .annotate(count=Count("id"))
        .order_by()
    )
    by_category: dict[int, dict[dt.date, DayCounts]] = defaultdict(dict)
    for row in rows:
        days = by_category[row["category_id"]]
        counts = days.setdefault(row["day"], DayCounts(day=row["day"]))
        setattr(counts, row["status"], getattr(counts, row["status"]) + row["count"])
    return [
        CategorySeries(category=category, days=sorted(by_category[category.pk].values(), key=lambda d: d.day))
        for category in categories
    ]
