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
  the cache (Redis in production), see ``voting_integrity.vote_request_count``.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import weakref
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
from .voting_integrity import VoteSignals, quarantine_reasons

# --- errors -------------------------------------------------------------------------


class VotingError(Exception):
    """A vote the service refuses; ``code`` says why, ``message`` is for the voter."""

    NO_CATEGORY = "no_category"
    NOT_CONFIRMED = "not_confirmed"
    CLOSED = "closed"
    NOT_NOMINEE = "not_nominee"
    WITHDRAWN = "withdrawn"
    ALREADY_VOTED = "already_voted"

    def __init__(self, code: str, message: str, *, vote: Vote | None = None, vote_of=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self._vote = vote
        self._vote_of = vote_of  # (category id, voter): the vote, read only if asked for

    @property
    def vote(self) -> Vote | None:
        """The voter's existing vote (``ALREADY_VOTED``): one query, made only
        by callers that show it (the vote view redirects to the category
        page, which reads it anyway)."""
        if self._vote is None and self._vote_of is not None:
            category_id, voter = self._vote_of
            self._vote = existing_vote(category=category_id, voter=voter)
        return self._vote


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

VOTE_COLUMNS = (
    "category_id, entry_id, voter_id, cast_at, status, reasons, ip_address, user_agent,"
    " account_age_seconds, seconds_since_email_confirmed"
)

# The window, the voter's confirmation and the nominee of an active category
# of the tenant. The same conditions as ``_voting_phase`` / ``is_confirmed`` /
# ``nominees_for_voter`` (tests/prizes/test_voting.py covers each refusal).
CHECKS = """
SELECT
  EXISTS (SELECT 1 FROM {phase} p JOIN {call} c ON c.id = p.call_id
          WHERE c.edition_id = ct.edition_id AND c.kind = %(kind)s AND p.key = %(phase_key)s
            AND p.opens_at <= %(now)s AND p.closes_at > %(now)s) AS open,
  EXISTS (SELECT 1 FROM {email} e WHERE e.user_id = %(voter)s AND e.verified) AS confirmed,
  EXISTS (SELECT 1 FROM {entry} pe WHERE pe.id = %(entry)s AND pe.category_id = cc.id
            AND pe.status = %(submitted)s AND pe.nominated_at IS NOT NULL) AS nominee
FROM {category} cc JOIN {contest} ct ON ct.id = cc.contest_id JOIN {edition} ed ON ed.id = ct.edition_id
WHERE cc.id = %(category)s AND cc.active AND (%(tenant)s IS NULL OR ed.tenant_id = %(tenant)s)
"""

# No conflict target: the only unique constraint besides the key is
# ``prizes_vote_once_per_category``, which alone decides (see the race test).
# Only table names from the models' metadata are formatted in (``_tables``).
INSERT_VOTE = (
    "INSERT INTO {vote} (" + VOTE_COLUMNS + ") VALUES (%(category)s, %(entry)s, %(voter)s, %(now)s,"  # noqa: S608
    " %(status)s,"
    " %(reasons)s, %(ip_address)s, %(user_agent)s, %(account_age)s, %(since_confirmed)s)"
    " ON CONFLICT DO NOTHING RETURNING id"
)

# PostgreSQL: the checks and the insert in one statement (one round trip);
# the row is inserted only when every check holds.
CHECK_AND_INSERT = (
    "WITH checks AS (" + CHECKS + "), stored AS ("  # noqa: S608
    " INSERT INTO {vote} (" + VOTE_COLUMNS + ")"
    " SELECT %(category)s, %(entry)s, %(voter)s, %(now)s, %(status)s, CAST(%(reasons)s AS jsonb),"
    " CAST(%(ip_address)s AS inet), %(user_agent)s, %(account_age)s, %(since_confirmed)s"
    " FROM checks WHERE open AND confirmed AND nominee"
    " ON CONFLICT DO NOTHING RETURNING id)"
    " SELECT open, confirmed, nominee, (SELECT id FROM stored) FROM checks"
)


def _tables() -> dict[str, str]:
    quote = connection.ops.quote_name
    return {
        name: quote(model._meta.db_table)
        for name, model in {
            "phase": Phase,
            "call": Phase._meta.get_field("call").related_model,
            "email": EmailAddress,
            "entry": PrizeEntry,
            "category": ContestCategory,
            "contest": Contest,
            "edition": Contest._meta.get_field("edition").related_model,
            "vote": Vote,
        }.items()
    }


@dataclass(frozen=True)
class _Outcome:
    open: bool
    confirmed: bool
    nominee: bool
    vote_id: int | None


# The statement's parameters in the order of the prepared statement, with their types.
PARAMETERS = [
    ("kind", "text"),
    ("phase_key", "text"),
    ("now", "timestamptz"),
    ("voter", "bigint"),
    ("entry", "bigint"),
    ("submitted", "text"),
    ("category", "bigint"),
    ("tenant", "bigint"),
    ("status", "text"),
    ("reasons", "jsonb"),
    ("ip_address", "inet"),
    ("user_agent", "text"),
    ("account_age", "integer"),
    ("since_confirmed", "integer"),
]
PREPARED_NAME = "wsis_prizes_vote_cast"
EXECUTE_PREPARED = f"EXECUTE {PREPARED_NAME} ({', '.join(['%s'] * len(PARAMETERS))})"
# The raw connections (psycopg) that hold the prepared statement: it lives
# as long as the database session, whatever happens to transactions.
_prepared_on: weakref.WeakSet = weakref.WeakSet()


def _prepare_sql() -> str:
    sql = CHECK_AND_INSERT.format(**_tables())
    for number, (name, _type) in enumerate(PARAMETERS, start=1):
        sql = sql.replace(f"%({name})s", f"${number}")
    types = ", ".join(type_ for _name, type_ in PARAMETERS)
    return f"PREPARE {PREPARED_NAME} ({types}) AS {sql}"


def _execute_prepared(cursor, params: dict) -> None:
    """PostgreSQL: run the statement prepared once per database session.
    Planning it cost more than running it (0.65 ms against 0.2 ms); a
    prepared statement is planned once for all (a generic plan after five
    runs). ``EXECUTE`` goes through Django's cursor like any other query."""
    raw = connection.connection
    if raw not in _prepared_on:
        cursor.execute(_prepare_sql())
        _prepared_on.add(raw)
    cursor.execute(EXECUTE_PREPARED, [params[name] for name, _type in PARAMETERS])


def _check_and_insert(params: dict) -> _Outcome | None:
    """``None`` when the category is not an active one of the tenant.

    Plain SQL: the vote is the busiest write of a voting month, and building
    these statements through the ORM cost more CPU than running them."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _execute_prepared(cursor, params)
            row = cursor.fetchone()
            return None if row is None else _Outcome(bool(row[0]), bool(row[1]), bool(row[2]), row[3])
        # Other databases (the embedded SQLite default): the checks, then the insert.
        tables = _tables()
        cursor.execute(CHECKS.format(**tables), params)
        row = cursor.fetchone()
        if row is None:
            return None
        checks = [bool(value) for value in row]
        vote_id = None
        if all(checks):
            cursor.execute(INSERT_VOTE.format(**tables), params)
            stored = cursor.fetchone()
            vote_id = stored[0] if stored else None
        return _Outcome(*checks, vote_id)


def _not_nominee_error(*, category_id: int, entry_id: int) -> VotingError:
    entry = PrizeEntry.objects.filter(pk=entry_id, category_id=category_id).values("status").first()
    if entry is not None and entry["status"] == SubmissionStatus.WITHDRAWN:
        return VotingError(VotingError.WITHDRAWN, _("This project was withdrawn: it can no longer receive votes."))
    return VotingError(VotingError.NOT_NOMINEE, _("This project is not a nominee of this category."))


def existing_vote(*, category: ContestCategory | int, voter) -> Vote | None:
    return Vote.objects.filter(category=category, voter=voter).select_related("entry").first()


def vote_cast(
    *,
    category_id: int,
    entry_id: int,
    voter,
    signals: VoteSignals,
    now: dt.datetime | None = None,
    tenant_id: int | None = None,
) -> Vote:
    """Store ``voter``'s vote for ``entry_id`` in the category; returns the new
    vote (``status`` valid or quarantined, with ``reasons``). Refused with a
    ``VotingError``: no such active category (of ``tenant_id``, when given),
    voter's email not confirmed, outside the voting phase, an entry that is
    not a nominee of the category (or withdrawn), a second vote in the
    category (``ALREADY_VOTED``, with the existing ``vote``).

    One statement on PostgreSQL when it succeeds (the checks and the insert);
    the unique constraint decides between racing requests."""
    now = now or timezone.now()
    reasons = [reason.code for reason in quarantine_reasons(signals)]
    status = VoteStatus.QUARANTINED if reasons else VoteStatus.VALID
    moment = connection.ops.adapt_datetimefield_value(now)
    outcome = _check_and_insert(
        {
            "kind": CallKind.PRIZES,
            "phase_key": PHASE_VOTING,
            "now": moment,
            "voter": voter.pk,
            "entry": entry_id,
            "submitted": SubmissionStatus.SUBMITTED,
            "category": category_id,
            "tenant": tenant_id,
            "status": status,
            # ``reasons`` is a JSON list: passed as text, cast to the column type.
            "reasons": json.dumps(reasons),
            "ip_address": signals.ip_address,
            "user_agent": signals.user_agent,
            "account_age": signals.account_age_seconds,
            "since_confirmed": signals.seconds_since_email_confirmed,
        }
    )
    if outcome is None:
        raise VotingError(VotingError.NO_CATEGORY, _("There is no such category open to voting."))
    if not outcome.open:
        raise VotingError(VotingError.CLOSED, _("Voting is not open: votes are accepted during the voting phase only."))
    if not outcome.confirmed:
        raise VotingError(VotingError.NOT_CONFIRMED, _("Please confirm your email address before you vote."))
    if not outcome.nominee:
        raise _not_nominee_error(category_id=category_id, entry_id=entry_id)
    if outcome.vote_id is None:
        raise VotingError(VotingError.ALREADY_VOTED, already_voted_message(), vote_of=(category_id, voter))
    return Vote(
        pk=outcome.vote_id,
        category_id=category_id,
        entry_id=entry_id,
        voter_id=voter.pk,
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
