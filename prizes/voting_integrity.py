"""Integrity of the public online voting: what is known of the request that
casts a vote (``VoteSignals``), the quarantine rules that judge it, the client
address behind trusted proxies and the rate limits counted in the cache.

Add a rule with ``@quarantine_rule(code, label)``: it gets the vote's signals
and returns True when the vote looks suspicious; the vote is then stored
``quarantined`` with the rule's code among its ``reasons``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext_lazy

from .models import Vote

USER_AGENT_MAX = Vote._meta.get_field("user_agent").max_length

# --- integrity signals and quarantine rules ------------------------------------------


@dataclass(frozen=True)
class VoteSignals:
    """What is known of the request that casts a vote."""

    ip_address: str | None = None
    user_agent: str = ""
    account_age_seconds: int | None = None
    seconds_since_email_confirmed: int | None = None
    #: vote requests from the address in this clock hour before this one
    votes_from_address_last_hour: int = 0


@dataclass(frozen=True)
class Reason:
    code: str
    label: str


@dataclass
class QuarantineRule:
    code: str
    label: object  # a lazy translation
    check: Callable[[VoteSignals], bool] = field(repr=False)

    def reason(self) -> Reason:
        return Reason(self.code, str(self.label))


#: The registry: each rule returns True when a vote looks suspicious.
QUARANTINE_RULES: list[QuarantineRule] = []


def quarantine_rule(code: str, label) -> Callable:
    def register(check: Callable[[VoteSignals], bool]) -> Callable[[VoteSignals], bool]:
        QUARANTINE_RULES.append(QuarantineRule(code, label, check))
        return check

    return register


def new_account_hours() -> int:
    return getattr(settings, "PRIZES_VOTE_NEW_ACCOUNT_HOURS", 2)


def votes_per_address_hour() -> int:
    return getattr(settings, "PRIZES_VOTE_MAX_PER_ADDRESS_HOUR", 50)


HEADLESS_MARKERS = ("headless", "phantomjs", "python-requests", "python-urllib", "curl/", "wget/", "go-http-client")


@quarantine_rule("new_account", gettext_lazy("Account created shortly before voting"))
def _new_account(signals: VoteSignals) -> bool:
    return signals.account_age_seconds is not None and signals.account_age_seconds < new_account_hours() * 3600


@quarantine_rule("busy_address", gettext_lazy("Many votes from one address within an hour"))
def _busy_address(signals: VoteSignals) -> bool:
    return signals.votes_from_address_last_hour >= votes_per_address_hour()


@quarantine_rule("headless_agent", gettext_lazy("Empty or automated user agent"))
def _headless_agent(signals: VoteSignals) -> bool:
    agent = signals.user_agent.strip().lower()
    return not agent or any(marker in agent for marker in HEADLESS_MARKERS)


def quarantine_reasons(signals: VoteSignals) -> list[Reason]:
    return [rule.reason() for rule in QUARANTINE_RULES if rule.check(signals)]


def reason_label(code: str) -> str:
    for rule in QUARANTINE_RULES:
        if rule.code == code:
            return str(rule.label)
    return code


# --- client address and rate limits ---------------------------------------------------


def num_proxies() -> int:
    """The proxies in front of the portal: the one setting the open data API's
    throttle uses too (``WSIS_API_NUM_PROXIES``)."""
    return int(settings.REST_FRAMEWORK.get("NUM_PROXIES") or 0)


def client_address(request) -> str | None:
    """The client's address as Django REST framework's throttles read it:
    ``REMOTE_ADDR`` without proxies; with N trusted proxies, the Nth address
    from the right of ``X-Forwarded-For`` (a client's own entries further left
    are never trusted)."""
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = num_proxies()
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if proxies and forwarded:
        addresses = [part.strip() for part in forwarded.split(",") if part.strip()]
        if addresses:
            return addresses[-min(proxies, len(addresses))]
    return remote


RATE_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """``"20/h"`` or ``"20/hour"`` → (20, 3600)."""
    count, _slash, period = rate.partition("/")
    return int(count), RATE_PERIODS[period.strip()[:1]]


# INCR and EXPIRE each key (KEYS), with its timeout (ARGV); the new values.
INCR_ALL_SCRIPT = """
local counts = {}
for index, key in ipairs(KEYS) do
  counts[index] = redis.call('INCR', key)
  redis.call('EXPIRE', key, ARGV[index])
end
return counts
"""
# The registered script per connection pool (redis-py sends EVALSHA, and the
# script itself when the server does not know it yet).
_scripts: dict = {}


def _incr_all(keys: list[tuple[str, int]]) -> list[int]:
    """Add one to each ``(key, timeout)`` counter; their new values. On Redis
    one command (a Lua script: half the client's work of a pipeline of INCR
    and EXPIRE). Every key names its time window, so renewing its expiry on
    each hit changes no count. Otherwise through the cache API."""
    backend = getattr(cache, "_cache", None)
    if hasattr(backend, "get_client"):  # wsis_portal.cache.RedisCache (Django's Redis cache)
        client = backend.get_client(write=True)
        script = _scripts.get(client.connection_pool)
        if script is None:
            script = _scripts[client.connection_pool] = client.register_script(INCR_ALL_SCRIPT)
        return script(
            keys=[cache.make_and_validate_key(key) for key, _timeout in keys],
            args=[timeout for _key, timeout in keys],
        )
    counts = []
    for key, timeout in keys:
        cache.add(key, 0, timeout=timeout)
        try:
            counts.append(cache.incr(key))
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=timeout)
            counts.append(1)
    return counts


def _window(key: str, rate: str, now: float) -> tuple[tuple[str, int], int]:
    """The fixed window's counter ``(key, timeout)`` and the limit of ``rate``."""
    limit, period = parse_rate(rate)
    return (f"prizes-vote-rate:{key}:{int(now // period)}", period + 5), limit


@dataclass(frozen=True)
class RequestCounts:
    """What counting one vote request tells: whether the account or the
    address is over its rate, and how many vote requests came from the
    address in this clock hour before this one."""

    limited: bool
    from_address_this_hour: int = 0


def _address_hour_key(address: str, now: dt.datetime) -> str:
    return f"prizes-vote-address-hour:{address}:{int(now.timestamp() // 3600)}"


def vote_request_count(*, user_id: int, address: str | None, now: dt.datetime | None = None) -> RequestCounts:
    """Count a vote request of the account and of the address, in one round
    trip to Redis: the rate windows (``PRIZES_VOTE_RATE_ACCOUNT`` /
    ``..._ADDRESS``) and the address's requests in this clock hour, which the
    ``busy_address`` rule reads (a refused or duplicate request counts too:
    it is the address's activity that is judged)."""
    moment = now or timezone.now()
    stamp = moment.timestamp()
    windows = [_window(f"account:{user_id}", settings.PRIZES_VOTE_RATE_ACCOUNT, stamp)]
    counters = [counter for counter, _limit in windows]
    if address:
        windows.append(_window(f"address:{address}", settings.PRIZES_VOTE_RATE_ADDRESS, stamp))
        counters = [counter for counter, _limit in windows] + [(_address_hour_key(address, moment), 3700)]
    counts = _incr_all(counters)
    limited = any(count > limit for count, (_counter, limit) in zip(counts, windows, strict=False))
    return RequestCounts(limited=limited, from_address_this_hour=counts[-1] - 1 if address else 0)


def signals_for(request, *, user, now: dt.datetime, counts: RequestCounts | None = None) -> VoteSignals:
    """The vote's signals; ``counts`` is what ``vote_request_count`` said of this request."""
    joined = getattr(user, "date_joined", None)
    confirmed = getattr(user, "email_confirmed_at", None)
    return VoteSignals(
        ip_address=client_address(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_MAX],
        account_age_seconds=max(0, int((now - joined).total_seconds())) if joined else None,
        seconds_since_email_confirmed=max(0, int((now - confirmed).total_seconds())) if confirmed else None,
        votes_from_address_last_hour=counts.from_address_this_hour if counts else 0,
    )
