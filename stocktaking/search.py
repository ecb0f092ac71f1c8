"""Reads of the public stocktaking database: the search with its facets, and
the upkeep of the stored search vector.

On PostgreSQL the keyword search matches ``Entry.search_vector`` (title weight
A, description B, organisation and partners C; unaccented; stemmed in the
entry's language, plus unstemmed words so that a query in any language finds
exact words) with ``websearch_to_tsquery``, ranked by ``ts_rank``, or a title
close to the query by trigram word similarity (typos). On other databases it
falls back to ``icontains``. Facet counts are one statement for all facets
(``facet_counts``), bounded for keyword searches and cached under a data version.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.core.cache import cache
from django.db import connection
from django.db.models import BooleanField, Case, F, FloatField, Func, Max, Q, QuerySet, TextField, Value, When
from django.db.models.functions import Lower
from django_scopes import scopes_disabled

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
    """``unaccented lower title %> query`` (pg_trgm's word similarity above its
    threshold), answered by the trigram GIN index on the same expression.
    Written with the index's own operator (``%>``, not its commutator
    ``query <% title``): PostgreSQL then knows the bitmap index condition is
    the clause itself and does not evaluate it again, with an unaccent per row,
    as a filter on every match of a common word (about 40 % of a keyword
    search's database time at 100,000 entries)."""

    arg_joiner = " %%> "
    template = "(%(expressions)s)"
    output_field = BooleanField()


class CountryCodes(Func):
    """``string_to_array(countries, ',')``: the ISO codes ``Entry.countries``
    stores comma-separated, as the GIN index ``stocktaking_entry_country_codes``
    has them (PostgreSQL)."""

    template = "string_to_array(%(expressions)s, ',')"
    output_field = ArrayField(TextField())


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
        # An Action Line also finds the entries filed under its sub-lines (C7):
        # a subquery rather than a join, so that an entry filed under a line
        # and its sub-line comes once without a DISTINCT over every column
        # (which made the count and the page sort whole rows).
        through = Entry.action_lines.through
        filed = through.objects.filter(
            Q(actionline_id=params.action_line) | Q(actionline__parent_id=params.action_line)
        ).values("entry_id")
        queryset = queryset.filter(pk__in=filed)
    if params.sdg:
        queryset = queryset.filter(sdgs=params.sdg)
    if params.region:
        queryset = queryset.filter(regions=params.region)
    if params.country:
        if using_postgres():
            # The entry's own list, through its GIN index (migration 0005).
            queryset = queryset.alias(country_codes=CountryCodes("countries")).filter(
                country_codes__contains=[params.country]
            )
        else:
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
    matches_words = Q(search_vector=query)
    return queryset.annotate(
        rank=SearchRank(F("search_vector"), query),
        # Only a typo match (no word found) is ordered by its similarity: the
        # unaccented trigram comparison is the costliest part of ranking a
        # common word's thousands of matches, and they are ordered by rank.
        similarity=Case(
            When(matches_words, then=Value(1.0)), default=WordSimilarity(needle, title), output_field=FloatField()
        ),
    ).filter(matches_words | Q(TitleCloseTo(title, needle)))


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
    # The values shown (the search page shows the most frequent few).
    values: list[FacetValue] = field(default_factory=list)


# A keyword search counts facets over at most this many of its matches, taken
# as the index finds them (no ranking: ranking a very common word's tens of
# thousands of matches a second time would double the page's database time).
# Exact when fewer match; see docs/stocktaking.md.
FACET_SAMPLE = 1000
# Counts are cached under a data version (the latest ``updated_at``); changes
# that do not touch ``updated_at`` (e.g. a collection's members) show within this.
FACET_CACHE_SECONDS = 300

# (facet, column of the matched rows) for the entry's own columns, and
# (facet, link table, its entry column, its value column) for the others.
_ENTRY_FACETS = [("kind", "kind"), ("status", "project_status"), ("stakeholder_type", "stakeholder_type_id")]
_INTEGER_FACETS = {"stakeholder_type", "action_line", "sdg", "region", "collection"}


def _linked_facets() -> list[tuple[str, str, str, str]]:
    linked = [("country", EntryCountry._meta.db_table, "entry_id", "country")]
    for name, field_name in [
        ("action_line", "action_lines"),
        ("sdg", "sdgs"),
        ("region", "regions"),
        ("collection", "collections"),
    ]:
        field_ = Entry._meta.get_field(field_name)
        through = field_.remote_field.through._meta
        linked.append((name, through.db_table, field_.m2m_column_name(), field_.m2m_reverse_name()))
    return linked


def _matched_rows(queryset: QuerySet[Entry], sample: int) -> QuerySet[Entry]:
    """The matching entries' ids and own facet columns; with a keyword, the
    first ``sample`` matches only."""
    ids = queryset.order_by().values("pk")
    if "rank" in queryset.query.annotations:
        ids = ids[:sample]
    return Entry.objects.filter(pk__in=ids).order_by().values("pk", *(column for _, column in _ENTRY_FACETS))


def _facet_sql(matched: QuerySet[Entry]) -> tuple[str, tuple]:
    """One statement: the matching rows once (a CTE), then every facet's
    grouped count, concatenated with UNION ALL."""
    inner, params = matched.query.get_compiler(using=matched.db).as_sql()
    quote = connection.ops.quote_name
    materialized = "MATERIALIZED " if using_postgres() else ""
    # Only names from the models' metadata and the constants above are
    # formatted in; every value (keyword, filters) stays a parameter.
    parts = [
        f"SELECT '{name}' AS facet, CAST({quote(column)} AS TEXT) AS value, COUNT(*) AS n "  # noqa: S608
        f"FROM matched WHERE {quote(column)} IS NOT NULL GROUP BY {quote(column)}"
        for name, column in _ENTRY_FACETS
    ]
    parts += [
        f"SELECT '{name}', CAST(link.{quote(value)} AS TEXT), COUNT(*) "  # noqa: S608
        f"FROM {quote(table)} link JOIN matched ON matched.{quote('id')} = link.{quote(entry_column)} "
        f"GROUP BY link.{quote(value)}"
        for name, table, entry_column, value in _linked_facets()
    ]
    columns = ", ".join(quote(column) for column in ["id", *(column for _, column in _ENTRY_FACETS)])
    return f"WITH matched ({columns}) AS {materialized}({inner}) " + " UNION ALL ".join(parts), tuple(params)


def data_version() -> str:
    """Changes whenever an entry is created, edited or moved (``updated_at``)
    or confirmed by its owner (``confirmed_at``); one query, two index probes
    (``stocktaking_entry_updated``, ``stocktaking_entry_confirmed``). What the
    search caches (facet counts, result counts, the filter column's HTML, the
    choice lists) is keyed by it, so such a change shows at once."""
    with scopes_disabled():
        latest = Entry.objects.aggregate(updated=Max("updated_at"), confirmed=Max("confirmed_at"))
    return "/".join(value.isoformat() if value else "-" for value in (latest["updated"], latest["confirmed"]))


def cache_key(kind: str, version: str, *parts) -> str:
    """A cache key of the search: ``kind``, the database, the data version
    and a digest of ``parts`` (the parameters that determine the value)."""
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()
    return f"stocktaking:{kind}:{connection.settings_dict['NAME']}:{version}:{digest}"


def cached_count(queryset: QuerySet[Entry], *, key: str) -> int:
    """``queryset.count()``, cached under ``key`` (from ``cache_key``: the
    data version and the search's parameters) for ``FACET_CACHE_SECONDS``:
    the paginator's COUNT of a common word ranks nothing but still reads
    every match (about 60 ms at 100,000 entries)."""
    count = cache.get(key)
    if count is None:
        count = queryset.count()
        cache.set(key, count, FACET_CACHE_SECONDS)
    return count


def ranked_page(queryset: QuerySet[Entry], *, offset: int, limit: int) -> tuple[int, list[int]] | None:
    """For a keyword search sorted by relevance (``queryset`` annotated by
    ``search_entries``): the number of matches and the ids of ``limit`` of
    them from ``offset`` in the order of ``sort_entries``, from one scan of
    the matches instead of two (the paginator's COUNT and the page each read
    every match of a common word). ``None`` when there is no row from
    ``offset`` on (no match, or past the last page): the count is then unknown."""
    inner = queryset.order_by().values_list("pk", "rank", "similarity", "published_at")
    sql, params = inner.query.get_compiler(using=inner.db).as_sql()
    # The order of ``sort_entries`` for relevance ("-published_at": DESC, NULLs first).
    statement = (
        f"WITH matched (id, rank, similarity, published_at) AS MATERIALIZED ({sql}) "  # noqa: S608 - compiled by the ORM, values are parameters
        "SELECT id, (SELECT COUNT(*) FROM matched) FROM matched "
        "ORDER BY rank DESC, similarity DESC, published_at DESC, id DESC LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, (*params, limit, offset))
        rows = cursor.fetchall()
    if not rows:
        return None
    return rows[0][1], [pk for pk, _count in rows]


def facet_counts(
    queryset: QuerySet[Entry], *, sample: int = FACET_SAMPLE, version: str | None = None
) -> dict[str, dict]:
    """``{facet name: {value: number of entries}}`` over ``queryset``, in at
    most two queries whatever the data: the data version (unless given), then
    (unless the cache has them) one statement for every facet. With a keyword,
    the counts are those of ``sample`` of the matches (exact when fewer match)."""
    sql, params = _facet_sql(_matched_rows(queryset, sample))
    digest = hashlib.sha256(repr((sql, params)).encode()).hexdigest()
    if version is None:
        version = data_version()
    key = f"stocktaking:facets:{connection.settings_dict['NAME']}:{version}:{digest}"
    rows = cache.get(key)
    if rows is None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        cache.set(key, rows, FACET_CACHE_SECONDS)
    counts: dict[str, dict] = {name: {} for name, _ in _ENTRY_FACETS}
    counts.update({name: {} for name, *_ in _linked_facets()})
    for name, value, number in rows:
        counts[name][int(value) if name in _INTEGER_FACETS else value] = number
    return counts
