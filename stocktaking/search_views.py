"""The public search page (``/<tenant>/stocktaking/``): the filter column,
the result rows and what it caches under the search's data version; see
"Search" in docs/stocktaking.md. The selectors are in ``search.py``."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.postgres.expressions import ArraySubquery
from django.core.cache import cache
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import connection
from django.db.models import OuterRef
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django_countries import countries

from wsis_portal.reference.models import ActionLine, StakeholderType

from . import search, updates
from .enums import EntryKind, ProjectStatus
from .forms import SearchForm, choices_cache_key
from .models import Entry

PAGE_SIZE = 20
# Values shown per facet (the most frequent first).
FACET_SHOWN = 12
FACET_NAMES = ["action_line", "sdg", "region", "country", "stakeholder_type", "kind", "status", "collection"]
# What a result row shows of an entry (the page does not load the stored
# search vector or the long fields that only the entry page shows).
ROW_FIELDS = [
    "id",
    "title",
    "language",
    "description",
    "kind",
    "organisation_name",
    "stakeholder_type",
    "countries",
    "project_status",
    "start_year",
    "end_year",
    "published_at",
    "confirmed_at",
]


def _facet_urls(query, name: str) -> tuple[str, str]:
    """The current search's parameters before and after ``name`` (URL-encoded,
    ``page`` left out): ``name=value`` goes in between, where ``name`` is now
    or at the end, as ``QueryDict.__setitem__`` would put it."""
    items = [(key, values) for key, values in query.lists() if key != "page"]
    keys = [key for key, _values in items]
    position = keys.index(name) if name in keys else len(items)
    before = urlencode([(key, value) for key, values in items[:position] for value in values])
    after = urlencode([(key, value) for key, values in items[position + 1 :] for value in values])
    return (f"?{before}&" if before else "?"), (f"&{after}" if after else "")


def _facets(query, form: SearchForm, counts: dict[str, dict]) -> list[search.Facet]:
    """The facets with their ``FACET_SHOWN`` most frequent values, each with
    the URL of the current search narrowed to it (from its first page)."""
    facets = []
    for name in FACET_NAMES:
        labels = form.choice_labels(name)
        shown = sorted(
            ((count, labels.get(str(value), str(value)), str(value)) for value, count in counts[name].items()),
            key=lambda item: (-item[0], item[1]),
        )[:FACET_SHOWN]
        before, after = _facet_urls(query, name)
        values = [
            search.FacetValue(value=value, label=label, count=count, url=f"{before}{urlencode({name: value})}{after}")
            for count, label, value in shown
        ]
        facets.append(search.Facet(name=name, label=str(form.fields[name].label), values=values))
    return facets


def search_results(request, form: SearchForm, params: search.SearchParams):
    """The search's queryset for the validated form (page and downloads alike)."""
    results = search.search_entries(tenant=request.tenant, params=params, language=get_language())
    return updates.filter_freshness(results, form.freshness_value())


class _CachedCountPaginator(Paginator):
    """A paginator whose count is ``search.cached_count`` under ``count_key``."""

    def __init__(self, object_list, per_page, *, count_key: str):
        super().__init__(object_list, per_page)
        self.count_key = count_key

    @cached_property
    def count(self) -> int:
        return search.cached_count(self.object_list, key=self.count_key)


def country_names() -> dict[str, str]:
    """ISO code to country name in the active language, built once per
    language and process (``Country.name`` translates on every access)."""
    language = get_language()
    names = _COUNTRY_NAMES.get(language)
    if names is None:
        names = _COUNTRY_NAMES[language] = {code: str(name) for code, name in countries}
    return names


_COUNTRY_NAMES: dict[str, dict[str, str]] = {}


def _result_rows(entries: list[ResultRow], *, tenant, stale_before) -> list[str]:
    """Each result's ``<li>``, joined here rather than by template tags per row
    (about a third of the page's rendering): one ``reverse`` for every link,
    the choice labels and country names from dicts, the Action Line codes read
    with the rows (in place of a prefetch of whole Action Lines). Every value
    is escaped by ``format_html``; the markup is the one the template had."""
    if not entries:
        return []
    placeholder = 2_147_483_647
    detail = reverse("stocktaking:detail", kwargs={"tenant_slug": tenant.slug, "pk": placeholder})
    prefix, suffix = detail.split(str(placeholder))
    kinds = {value: str(label) for value, label in EntryKind.choices}
    statuses = {value: str(label) for value, label in ProjectStatus.choices}
    names = country_names()
    never_confirmed = _("Stale: never confirmed")
    action_lines_label = _("Action Lines:")
    rows = []
    for entry in entries:
        confirmed = entry.confirmed_at
        stale = ""
        if confirmed is None or confirmed < stale_before:
            badge = _("Stale: last confirmed in %(year)s") % {"year": confirmed.year} if confirmed else never_confirmed
            stale = format_html('\n          <p class="mb-1"><span class="badge text-bg-warning">{}</span></p>', badge)
        details = [kinds.get(entry.kind, entry.kind)]
        if entry.organisation_name:
            details.append(entry.organisation_name)
        if entry.stakeholder_type:
            details.append(entry.stakeholder_type)
        countries_shown = ", ".join(names.get(code, code) for code in entry.country_codes)
        if countries_shown:
            details.append(countries_shown)
        details.append(statuses.get(entry.project_status, entry.project_status))
        if entry.start_year:
            details.append(f"{entry.start_year}–{entry.end_year}" if entry.end_year else str(entry.start_year))
        lines = ""
        if entry.action_line_codes:
            lines = format_html(
                '\n          <p class="mb-0 small">{} {}</p>', action_lines_label, ", ".join(entry.action_line_codes)
            )
        rows.append(
            format_html(
                '<li class="border-bottom py-3">\n'
                '          <h3 class="h5 mb-1"><a href="{}" lang="{}">{}</a></h3>{}\n'
                '          <p class="mb-1 small text-body-secondary">{}</p>\n'
                '          <p class="mb-1" lang="{}">{}</p>{}\n'
                "        </li>",
                f"{prefix}{entry.pk}{suffix}",
                entry.language,
                entry.title,
                stale,
                " · ".join(details),
                entry.language,
                Truncator(entry.description).words(40, truncate=" …"),  # as |truncatewords:40
                lines,
            )
        )
    return rows


def _row_columns(queryset):
    """What a result row needs: ``ROW_FIELDS``, the stakeholder type and, on
    PostgreSQL, the entry's Action Line codes as an array subquery (evaluated
    for the page's rows only, after the sort and limit)."""
    queryset = queryset.only(*ROW_FIELDS).select_related("stakeholder_type")
    if not search.using_postgres():
        return queryset
    filed = (
        Entry.action_lines.through.objects.filter(entry_id=OuterRef("pk"))
        .order_by("actionline__position")
        .values("actionline__code")
    )
    return queryset.annotate(action_line_codes=ArraySubquery(filed))


@dataclass(slots=True)
class ResultRow:
    """What a result row shows of an entry (``_result_rows``)."""

    pk: int
    title: str
    language: str
    description: str
    kind: str
    organisation_name: str
    stakeholder_type: str
    country_codes: list[str]
    project_status: str
    start_year: int | None
    end_year: int | None
    confirmed_at: dt.datetime | None
    action_line_codes: list[str]

    @classmethod
    def of(cls, entry: Entry, action_line_codes: list[str]) -> ResultRow:
        return cls(
            pk=entry.pk,
            title=entry.title,
            language=entry.language,
            description=entry.description,
            kind=entry.kind,
            organisation_name=entry.organisation_name,
            stakeholder_type=entry.stakeholder_type.name if entry.stakeholder_type_id else "",
            country_codes=[country.code for country in entry.countries],
            project_status=entry.project_status,
            start_year=entry.start_year,
            end_year=entry.end_year,
            confirmed_at=entry.confirmed_at,
            action_line_codes=action_line_codes,
        )


def _as_rows(entries) -> list[ResultRow]:
    """``ResultRow``s of entries loaded through ``_row_columns``."""
    entries = list(entries)
    if search.using_postgres():
        return [ResultRow.of(entry, entry.action_line_codes) for entry in entries]
    codes = defaultdict(list)
    filed = Entry.action_lines.through.objects.filter(entry_id__in=[entry.pk for entry in entries])
    for entry_id, code in filed.order_by("actionline__position").values_list("entry_id", "actionline__code"):
        codes[entry_id].append(code)
    return [ResultRow.of(entry, codes[entry.pk]) for entry in entries]


def _rows_sql() -> str:
    """The rows of a page by id, one plain statement (PostgreSQL): the ORM
    query it replaces cost more to build and compile than to run."""
    through = Entry.action_lines.through._meta.db_table
    return (
        "SELECT entry.id, entry.title, entry.language, entry.description, entry.kind,"  # noqa: S608 - table names only
        " entry.organisation_name, kind_of.name, entry.countries, entry.project_status, entry.start_year,"
        " entry.end_year, entry.confirmed_at,"
        f" ARRAY(SELECT line.code FROM {through} filed JOIN {ActionLine._meta.db_table} line"
        " ON line.id = filed.actionline_id WHERE filed.entry_id = entry.id ORDER BY line.position)"
        f" FROM {Entry._meta.db_table} entry LEFT JOIN {StakeholderType._meta.db_table} kind_of"
        " ON kind_of.id = entry.stakeholder_type_id"
        " WHERE entry.tenant_id = %s AND entry.id = ANY(%s)"
    )


def _page_number(value) -> int:
    """The requested page as ``Paginator.get_page`` reads it (1 if invalid)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 1
    return max(number, 1)


# The SQL of a search's ordered ids (no LIMIT), per process, by what
# determines it: building and compiling the ORM query of a keyword search with
# its filters costs about 5 ms of Python, more than running it at 13,500 entries.
_PAGE_SQL: dict[tuple, tuple[str, tuple]] = {}
PAGE_SQL_KEPT = 512


def _ordered_ids_sql(key: tuple, ordered) -> tuple[str, tuple]:
    """``(sql, params)`` of the ids of ``ordered()`` in its order, compiled once
    per ``key`` (``ordered`` is only called on a miss)."""
    statement = _PAGE_SQL.get(key)
    if statement is None:
        queryset = ordered().values_list("pk")
        statement = queryset.query.get_compiler(using=queryset.db).as_sql()
        if len(_PAGE_SQL) >= PAGE_SQL_KEPT:
            _PAGE_SQL.clear()
        _PAGE_SQL[key] = statement
    return statement


def _rows_by_id(ids: list[int], *, tenant) -> list[ResultRow]:
    """The page's rows in the order of ``ids`` (the tenant's entries only)."""
    if not ids:
        return []
    if not search.using_postgres():
        by_id = {row.pk: row for row in _as_rows(_row_columns(Entry.objects.filter(tenant=tenant, pk__in=ids)))}
        return [by_id[pk] for pk in ids if pk in by_id]
    with connection.cursor() as cursor:
        cursor.execute(_rows_sql(), (tenant.pk, ids))
        found = cursor.fetchall()
    by_id = {}
    for pk, title, language, description, kind, organisation, stakeholder, codes_text, status, *rest in found:
        start, end, confirmed, codes = rest
        by_id[pk] = ResultRow(
            pk=pk,
            title=title,
            language=language,
            description=description,
            kind=kind,
            organisation_name=organisation,
            stakeholder_type=stakeholder or "",
            country_codes=[code for code in (codes_text or "").split(",") if code],
            project_status=status,
            start_year=start,
            end_year=end,
            confirmed_at=confirmed,
            action_line_codes=codes,
        )
    return [by_id[pk] for pk in ids if pk in by_id]


def _results_page(request, results, params: search.SearchParams, *, count_key: str, count: int | None, sql_key: tuple):
    """The paginator and the requested page of the results, rows loaded;
    ``results()`` builds the search's queryset (only when needed).

    - Count cached (the same search since the last change): the page's ids
      from the search's compiled SQL (``_ordered_ids_sql``) with LIMIT and
      OFFSET, then their rows.
    - Otherwise, a keyword search sorted by relevance gets its count and its
      page's ids from one scan of the matches (``search.ranked_page``), then
      the rows: a very common word is read once instead of twice.
    - Otherwise one COUNT, then the page from the ordered query.

    A page number past the last page costs one more query when the count is
    not cached (the count, then the last page, as ``Paginator.get_page``)."""
    has_keyword = bool(params.q.strip())

    def ordered():
        return search.sort_entries(results(), sort=params.sort, has_keyword=has_keyword)

    if count is not None:
        paginator = Paginator([], PAGE_SIZE)
        paginator.__dict__["count"] = count  # the cached_property, read with the other cached parts
        try:
            number = paginator.validate_number(request.GET.get("page"))
        except PageNotAnInteger:
            number = 1
        except EmptyPage:
            number = paginator.num_pages
        sql, sql_params = _ordered_ids_sql(sql_key, ordered)
        with connection.cursor() as cursor:
            cursor.execute(f"{sql} LIMIT %s OFFSET %s", (*sql_params, PAGE_SIZE, (number - 1) * PAGE_SIZE))
            ids = [pk for (pk,) in cursor.fetchall()]
        return paginator, paginator._get_page(_rows_by_id(ids, tenant=request.tenant), number, paginator)
    paginator = _CachedCountPaginator(_row_columns(ordered()), PAGE_SIZE, count_key=count_key)
    if has_keyword and params.sort == "relevance" and search.using_postgres():
        number = _page_number(request.GET.get("page"))
        found = search.ranked_page(results(), offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE)
        if found is not None:
            count, ids = found
            cache.set(count_key, count, search.FACET_CACHE_SECONDS)
            paginator.__dict__["count"] = count  # the cached_property, known now
            return paginator, paginator._get_page(_rows_by_id(ids, tenant=request.tenant), number, paginator)
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = _as_rows(page.object_list)
    return paginator, page


def search_page(request):
    """The public search. What repeats between requests is cached under the
    data version (``search.data_version``, one query): the choice lists, the
    result count and the whole filter column (form and facets, rendered) for
    these GET parameters in this language; see docs/stocktaking.md. The
    search's queryset is only built when something is not cached."""
    tenant = request.tenant
    version = search.data_version()
    stale_before = updates.stale_before()
    language = get_language()
    # The GET parameters but the page determine the results, their count and
    # the filter column (with the data version, language and stale cut-off).
    query = sorted((key, values) for key, values in request.GET.lists() if key != "page")
    choices_key = choices_cache_key(tenant, version)
    filters_key = search.cache_key("filters-html", version, tenant.pk, language, stale_before, request.path, query)
    count_key = search.cache_key("count", version, tenant.pk, language, stale_before, query)
    cached = cache.get_many([choices_key, filters_key, count_key])  # one round trip

    form = SearchForm(request.GET or None, tenant=tenant, version=version, choices=cached.get(choices_key))
    params = form.params()
    freshness = form.freshness_value()
    built = []

    def results():
        if not built:
            built.append(search_results(request, form, params))
        return built[0]

    active = {name for name in SearchForm.FILTERS if getattr(params, name)}
    if freshness:
        active.add("freshness")
    filtered = bool(active or params.q)

    filters_html = cached.get(filters_key)
    if filters_html is None:
        facets = _facets(request.GET, form, search.facet_counts(results(), version=version))
        filters_html = render_to_string(
            "stocktaking/partials/search_filters.html",
            {"form": form, "facets": facets, "filtered": filtered},
            request=request,
        )
        cache.set(filters_key, str(filters_html), search.FACET_CACHE_SECONDS)

    sql_key = (connection.vendor, tenant.pk, language, freshness, stale_before, repr(params))
    paginator, page = _results_page(
        request, results, params, count_key=count_key, count=cached.get(count_key), sql_key=sql_key
    )
    rows = _result_rows(page.object_list, tenant=tenant, stale_before=stale_before)
    return render(
        request,
        "stocktaking/search.html",
        {
            "form": form,  # base.html marks the title of a page whose form has errors
            "filters_html": mark_safe(filters_html),  # noqa: S308 - rendered above from our template
            "page": page,
            "rows": rows,
            "count": paginator.count,
            "params": params,
            "filtered": filtered,
        },
    )
