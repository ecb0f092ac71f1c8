"""Reads of the public stocktaking database: the search with its facets, and
the upkeep of the stored search vector.

On PostgreSQL the keyword search matches ``Entry.search_vector`` (title weight
A, description B, organisation and partners C; unaccented; stemmed in the
entry's language, plus unstemmed words so that a query in any language finds
exact words) with ``websearch_to_tsquery``, ranked by ``ts_rank``, or a title
close to the query by trigram word similarity (typos). On other databases it
falls back to ``icontains``. Facet counts are one grouped query per facet.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import BooleanField, Case, Count, F, FloatField, Func, Q, QuerySet, Value, When
from django.db.models.functions import Lower

from .enums import SEARCH_CONFIGS, SIMPLE_SEARCH_CONFIG, EntryStatus
from .models import Entry, EntryCountry

SORTS = ("relevance", "newest", "title")


def using_postgres() -> bool:
    return connection.vendor == "postgresql"


def search_config_for(language: str | None) -> str:
    return SEARCH_CONFIGS.get((language or "")[:2], SIMPLE_SEARCH_CONFIG)


class ImmutableUnaccent(Func):
    """``wsis_immutable_unaccent(...)``, created by migration 0002 (PostgreSQL)."""

    function = "wsis_immutable_unaccent"


class TitleCloseTo(Func):
    """``query <% unaccented lower title``: pg_trgm's word similarity above its
    threshold, answered by the trigram GIN index on the same expression."""

    arg_joiner = " <%% "
    template = "(%(expressions)s)"
    output_field = BooleanField()


class WordSimilarity(Func):
    function = "word_similarity"
    output_field = FloatField()


def _weighted_vector(config: str):
    return (
        SearchVector("title", weight="A", config=config)
        + SearchVector("description", weight="B", config=config)
        + SearchVector("organisation_name", "partners", weight="C", config=config)
    )


def entry_refresh_search(*, entry_ids: Iterable[int]) -> None:
    """Recompute the stored search vector of these entries (PostgreSQL only;
    one UPDATE per language). Called by every service that changes content."""
    if not using_postgres():
        return
    ids = list(entry_ids)
    if not ids:
        return
    languages = set(Entry.objects.filter(pk__in=ids).values_list("language", flat=True).order_by())
    for language in languages:
        config = search_config_for(language)
        vector = _weighted_vector(config)
        if config != SIMPLE_SEARCH_CONFIG:
            vector = vector + _weighted_vector(SIMPLE_SEARCH_CONFIG)
        Entry.objects.filter(pk__in=ids, language=language).update(search_vector=vector)


def published_entries(*, tenant) -> QuerySet[Entry]:
    """What the public sees: published entries of ``tenant`` (never a pending revision)."""
    return Entry.objects.filter(tenant=tenant, status=EntryStatus.PUBLISHED, revision_of__isnull=True)


def published_entry(*, tenant, pk: int) -> Entry:
    from django.shortcuts import get_object_or_404

    queryset = published_entries(tenant=tenant).select_related("stakeholder_type", "tenant")
    return get_object_or_404(
        queryset.prefetch_related("action_lines", "sdgs", "regions", "collections"),
        pk=pk,
    )


def with_public_relations(queryset: QuerySet[Entry]) -> QuerySet[Entry]:
    """Load what the public representations (API, downloads) show of an entry,
    in a fixed number of queries per page or per ``iterator`` chunk."""
    return queryset.select_related("stakeholder_type").prefetch_related(
        "action_lines", "sdgs", "regions", "collections"
    )


@dataclass
class SearchParams:
    """The validated filters of a search (``None`` or empty: not filtered)."""

    q: str = ""
    action_line: int | None = None
    sdg: int | None = None
    region: int | None = None
    country: str = ""
    stakeholder_type: int | None = None
    kind: str = ""
    status: str = ""
    year: int | None = None
    collection: int | None = None
    sort: str = "relevance"


def filter_entries(queryset: QuerySet[Entry], params: SearchParams) -> QuerySet[Entry]:
    """Apply every filter but the keyword; each is a single value, so the
    joins never repeat a row."""
    if params.action_line:
        # An Action Line also finds the entries filed under its sub-lines (C7).
        queryset = queryset.filter(
            Q(action_lines=params.action_line) | Q(action_lines__parent=params.action_line)
        ).distinct()
    if params.sdg:
        queryset = queryset.filter(sdgs=params.sdg)
    if params.region:
        queryset = queryset.filter(regions=params.region)
    if params.country:
        queryset = queryset.filter(country_rows__country=params.country)
    if params.stakeholder_type:
        queryset = queryset.filter(stakeholder_type=params.stakeholder_type)
    if params.kind:
        queryset = queryset.filter(kind=params.kind)
    if params.status:
        queryset = queryset.filter(project_status=params.status)
    if params.year:
        # Active in that year.
        queryset = queryset.filter(Q(start_year__lte=params.year) | Q(start_year__isnull=True)).filter(
            Q(end_year__gte=params.year) | Q(end_year__isnull=True)
        )
    if params.collection:
        queryset = queryset.filter(collections=params.collection)
    return queryset


def _keyword_postgres(queryset: QuerySet[Entry], q: str, *, language: str) -> QuerySet[Entry]:
    query = SearchQuery(q, search_type="websearch", config=SIMPLE_SEARCH_CONFIG)
    ui_config = search_config_for(language)
    if ui_config != SIMPLE_SEARCH_CONFIG:
        query = query | SearchQuery(q, search_type="websearch", config=ui_config)
    needle = ImmutableUnaccent(Lower(Value(q)))
    title = ImmutableUnaccent(Lower("title"))
    return queryset.annotate(
        rank=SearchRank(F("search_vector"), query),
        similarity=WordSimilarity(needle, title),
    ).filter(Q(search_vector=query) | Q(TitleCloseTo(needle, title)))


def _keyword_fallback(queryset: QuerySet[Entry], q: str) -> QuerySet[Entry]:
    in_title = Q(title__icontains=q)
    return queryset.filter(
        in_title | Q(description__icontains=q) | Q(organisation_name__icontains=q) | Q(partners__icontains=q)
    ).annotate(
        rank=Case(When(in_title, then=Value(2.0)), default=Value(1.0), output_field=FloatField()),
        similarity=Value(0.0, output_field=FloatField()),
    )


def search_entries(*, tenant, params: SearchParams, language: str = "en") -> QuerySet[Entry]:
    """Published entries of ``tenant`` matching ``params``, sorted, unevaluated."""
    queryset = filter_entries(published_entries(tenant=tenant), params)
    q = params.q.strip()
    if q:
        if using_postgres():
            queryset = _keyword_postgres(queryset, q, language=language)
        else:
            queryset = _keyword_fallback(queryset, q)
    return queryset


def sort_entries(queryset: QuerySet[Entry], *, sort: str, has_keyword: bool) -> QuerySet[Entry]:
    if sort == "title":
        return queryset.order_by(Lower("title"), "pk")
    if sort == "relevance" and has_keyword:
        return queryset.order_by("-rank", "-similarity", "-published_at", "-pk")
    return queryset.order_by(F("published_at").desc(nulls_last=True), "-pk")


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    url: str = ""


@dataclass
class Facet:
    name: str
    label: str
    values: list[FacetValue] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(item.count for item in self.values)


def _counts(rows, key: str) -> dict:
    return {row[key]: row["n"] for row in rows if row[key] is not None}


def facet_counts(queryset: QuerySet[Entry]) -> dict[str, dict]:
    """``{facet name: {value: number of entries}}`` over ``queryset``: one
    grouped query per facet, never one per value."""
    ids = queryset.order_by().values("pk")
    through = Entry._meta
    counts = {
        "kind": _counts(Entry.objects.filter(pk__in=ids).values("kind").annotate(n=Count("pk")).order_by(), "kind"),
        "status": _counts(
            Entry.objects.filter(pk__in=ids).values("project_status").annotate(n=Count("pk")).order_by(),
            "project_status",
        ),
        "stakeholder_type": _counts(
            Entry.objects.filter(pk__in=ids).values("stakeholder_type").annotate(n=Count("pk")).order_by(),
            "stakeholder_type",
        ),
        "country": _counts(
            EntryCountry.objects.filter(entry__in=ids).values("country").annotate(n=Count("entry")).order_by(),
            "country",
        ),
    }
    for name, field_name, key in [
        ("action_line", "action_lines", "actionline_id"),
        ("sdg", "sdgs", "sustainabledevelopmentgoal_id"),
        ("region", "regions", "region_id"),
        ("collection", "collections", "collection_id"),
    ]:
        model = through.get_field(field_name).remote_field.through
        rows = model.objects.filter(entry__in=ids).values(key).annotate(n=Count("entry_id")).order_by()
        counts[name] = _counts(rows, key)
    return counts
