"""Who a reminder rule reaches: a registry of audiences.

An audience is a function ``(rule) -> QuerySet[User]``, registered with
:func:`audience`. The fan-out walks the queryset by primary key in chunks and
evaluates it again inside each chunk, so what a selector says ("has a draft
that is not submitted") is checked when the email is written, not when the
rule became due. An optional ``links`` function gives, per recipient, the
pages the email points to (the recipient's drafts, the entries to review) in
a fixed number of queries for a whole chunk.

A new audience is a few lines::

    @audience("jury-members", label=_("Jury members of the call"))
    def jury_members(rule):
        return User.objects.filter(juries__call=rule.call)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .enums import NewsKind
from .models import AddressNewsRefusal, NewsPreference

# A link in an email: (text, absolute URL).
Link = tuple[str, str]
LinksFunction = Callable[..., dict[int, list[Link]]]


@dataclass(frozen=True)
class Audience:
    key: str
    label: str
    users: Callable
    links: LinksFunction | None = None
    # ``(rule) -> set of addresses`` of people reached without an account.
    addresses: Callable | None = None


_audiences: dict[str, Audience] = {}


def audience(key: str, *, label, links: LinksFunction | None = None, addresses: Callable | None = None):
    """Register ``function(rule) -> QuerySet[User]`` as the audience ``key``;
    ``addresses(rule)``, if given, adds people who have no account."""

    def register(function):
        _audiences[key] = Audience(key=key, label=label, users=function, links=links, addresses=addresses)
        return function

    return register


def get_audience(key: str) -> Audience:
    return _audiences[key]


def audience_choices() -> list[tuple[str, str]]:
    return [(item.key, item.label) for item in _audiences.values()]


def recipients(rule) -> QuerySet:
    """The rule's audience as active users, without those who left the rule's
    kind of news in the rule's tenant (ordered by primary key, for chunking)."""
    tenant_id = rule.call.edition.tenant_id
    return (
        get_audience(rule.audience)
        .users(rule)
        .filter(is_active=True)
        # A subquery: exclude() over a multi-valued relation would not hold the
        # three conditions to one preference row.
        .exclude(
            pk__in=NewsPreference.objects.filter(tenant_id=tenant_id, kind=rule.news_kind, subscribed=False).values(
                "user_id"
            )
        )
        .order_by("pk")
    )


def address_recipients(rule, *, with_account_since: bool = False) -> list[str]:
    """The audience's people known by address only (lower case, sorted): those
    without any account, and not those who unsubscribed that address from the
    rule's kind of news in the rule's tenant. ``with_account_since`` keeps those
    who have an account now (the sender's check of an email written before:
    it was theirs, and the account's chunk may have run before it existed)."""
    function = get_audience(rule.audience).addresses
    if function is None:
        return []
    addresses = {address.strip().lower() for address in function(rule) if address and address.strip()}
    if not addresses:
        return []
    with_account = (
        set()
        if with_account_since
        else {
            email.lower()
            for email in _with_address_in(get_user_model().objects.all(), addresses).values_list("email", flat=True)
        }
    )
    refused = set(
        AddressNewsRefusal.objects.filter(
            tenant_id=rule.call.edition.tenant_id, kind=rule.news_kind, email__in=addresses
        ).values_list("email", flat=True)
    )
    return sorted(addresses - with_account - refused)


def _with_address_in(users: QuerySet, addresses: set[str]) -> QuerySet:
    """Users whose address, in any case, is one of ``addresses`` (lower case)."""
    return users.filter(
        pk__in=get_user_model().objects.annotate(address=Lower("email")).filter(address__in=addresses).values("pk")
    )


def links_for(rule, users: Iterable) -> dict[int, list[Link]]:
    item = get_audience(rule.audience)
    if item.links is None:
        return {}
    return item.links(rule, [user.pk for user in users])


def _absolute(url: str) -> str:
    return url if url.startswith(("http://", "https://")) else f"{settings.SITE_URL}{url}"


def _my_submissions_url(rule) -> str:
    return _absolute(reverse("editions:my_submissions", kwargs={"tenant_slug": rule.call.edition.tenant.slug}))


def _entry_links(rule, entries) -> dict[int, list[Link]]:
    """Each entry's own page, or "My submissions" when its model has none."""
    found: dict[int, list[Link]] = defaultdict(list)
    my_submissions = None
    for user_id, entry in entries:
        url = entry.get_absolute_url()
        if not url:
            my_submissions = my_submissions or _my_submissions_url(rule)
        found[user_id].append((entry.title_for_owner, _absolute(url) if url else my_submissions))
    return found


# --- Draft owners -------------------------------------------------------------


def submission_models():
    from wsis_portal.editions.selectors import submission_models as models

    return models()


def _drafts(model, rule):
    from wsis_portal.editions.enums import SubmissionStatus

    return model.objects.filter(call_id=rule.call_id, status=SubmissionStatus.DRAFT, owner__isnull=False)


def _draft_links(rule, user_ids: list[int]) -> dict[int, list[Link]]:
    entries = []
    wanted = set(user_ids)
    tenant = rule.call.edition.tenant
    for model in submission_models():
        for draft in _drafts(model, rule).filter(_owners_among(user_ids)).order_by("pk"):
            if draft.owner_id in wanted:
                # The call's tenant (get_absolute_url may name it), rather than a
                # copy of it joined to each of a thousand drafts.
                if draft.tenant_id == tenant.pk:
                    draft.tenant = tenant
                entries.append((draft.owner_id, draft))
    return _entry_links(rule, entries)


def _owners_among(user_ids: list[int]) -> Q:
    return keys_among("owner_id", user_ids)


def keys_among(field: str, keys: list[int]) -> Q:
    """``field IN keys``; for keys that lie close together (a chunk's, a sender
    batch's), their range instead - the caller leaves out the others in it: a
    list of a thousand keys costs Django more to prepare than the query costs."""
    if not keys:
        return Q(pk__in=[])
    low, high = min(keys), max(keys)
    if len(keys) >= 50 and high - low < 2 * len(keys):
        return Q(**{f"{field}__gte": low, f"{field}__lte": high})
    return Q(**{f"{field}__in": keys})


@audience("draft-owners", label=_("Owners of drafts in the call (not yet submitted)"), links=_draft_links)
def draft_owners(rule) -> QuerySet:
    """Works for every programme model built on ``editions.models.Submission``."""
    condition = Q(pk__in=[])
    for model in submission_models():
        condition |= Q(pk__in=_drafts(model, rule).values("owner_id"))
    return get_user_model().objects.filter(condition)


# --- Reviewers with pending work ---------------------------------------------

PENDING_REVIEW_STATUSES = ("submitted", "under_review")


def _reviewable_models():
    return [model for model in submission_models() if any(f.name == "reviewers" for f in model._meta.many_to_many)]


def _pending(model, rule):
    return model.objects.filter(call_id=rule.call_id, status__in=PENDING_REVIEW_STATUSES)


def _review_links(rule, user_ids: list[int]) -> dict[int, list[Link]]:
    entries = []
    for model in _reviewable_models():
        through = model.reviewers.through
        user_column = model.reviewers.field.m2m_reverse_field_name()
        entry_column = model.reviewers.field.m2m_field_name()
        pairs = through.objects.filter(
            **{f"{user_column}_id__in": user_ids, f"{entry_column}__in": _pending(model, rule)}
        ).values_list(f"{user_column}_id", f"{entry_column}_id")
        pairs = list(pairs)
        by_pk = _pending(model, rule).select_related("tenant").in_bulk([entry for _user, entry in pairs])
        entries.extend((user_id, by_pk[entry_id]) for user_id, entry_id in sorted(pairs) if entry_id in by_pk)
    return _entry_links(rule, entries)


@audience("pending-reviewers", label=_("Assigned reviewers with entries waiting for review"), links=_review_links)
def pending_reviewers(rule) -> QuerySet:
    """Reviewers assigned to a submitted or under-review entry of the call, on
    every Submission model that has a ``reviewers`` field (the OCP entries)."""
    condition = Q(pk__in=[])
    for model in _reviewable_models():
        through = model.reviewers.through
        user_column = model.reviewers.field.m2m_reverse_field_name()
        entry_column = model.reviewers.field.m2m_field_name()
        condition |= Q(
            pk__in=through.objects.filter(**{f"{entry_column}__in": _pending(model, rule)}).values(f"{user_column}_id")
        )
    return get_user_model().objects.filter(condition)


# --- Nominees -------------------------------------------------------------------

NOMINATED_STATUSES = ("submitted", "under_review", "accepted")


def _nomination_models():
    return [model for model in submission_models() if any(f.name == "nominee_email" for f in model._meta.fields)]


def _nominee_addresses(rule) -> set[str]:
    emails = set()
    for model in _nomination_models():
        found = model.objects.filter(call_id=rule.call_id, status__in=NOMINATED_STATUSES).exclude(nominee_email="")
        emails.update(address.lower() for address in found.values_list("nominee_email", flat=True))
    return emails


@audience(
    "nominees",
    label=_("Nominees (nominations submitted or accepted), with or without an account"),
    addresses=_nominee_addresses,
)
def nominees(rule) -> QuerySet:
    """People nominated in the call (a ``nominee_email`` field, e.g. HLTF
    nominations) who have an account with that address; those without one are
    reached by address (``address_recipients``)."""
    emails = _nominee_addresses(rule)
    if not emails:
        return get_user_model().objects.none()
    return _with_address_in(get_user_model().objects.all(), emails)


# --- Stakeholders who opted in -----------------------------------------------


@audience("opted-in-stakeholders", label=_("Stakeholders of the forum who opted in to this kind of news"))
def opted_in_stakeholders(rule) -> QuerySet:
    return get_user_model().objects.filter(
        news_preferences__tenant_id=rule.call.edition.tenant_id,
        news_preferences__kind=rule.news_kind,
        news_preferences__subscribed=True,
    )


__all__ = [
    "Audience",
    "NewsKind",
    "address_recipients",
    "audience",
    "audience_choices",
    "get_audience",
    "links_for",
    "recipients",
]
