"""Regional reports: the published entries of a region active in a year,
counted by Action Line, SDG, country and stakeholder type.

The tables are ``ocp.brief.BriefTable`` so that the page draws them with the
OCP brief's chart code (``ocp.brief_views.chart_for`` and
``ocp/partials/bar_chart.html``). Each count is one grouped query, so the
page's queries do not grow with the number of entries.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from ocp.brief import BriefRow, BriefTable, shares
from wsis_portal.reference.models import ActionLine, Region, StakeholderType, SustainableDevelopmentGoal

from .models import FIRST_YEAR, Entry, EntryCountry
from .search import SearchParams, filter_entries, published_entries

#: How many years back the reports index links to.
INDEX_YEARS = 10


def region_entries(*, tenant, region: Region, year: int) -> QuerySet[Entry]:
    """Published entries of ``tenant`` in ``region`` active in ``year`` (the
    search's region and year filters, so the report matches the search)."""
    return filter_entries(published_entries(tenant=tenant), SearchParams(region=region.pk, year=year))


def _table(slug: str, title, column, labelled_counts: list[tuple[str, int]]) -> BriefTable:
    ordered = sorted(labelled_counts, key=lambda item: (-item[1], str(item[0])))
    counts = [count for _label, count in ordered]
    rows = [
        BriefRow(label=str(label), count=count, share=share)
        for (label, count), share in zip(ordered, shares(counts), strict=True)
    ]
    return BriefTable(slug=slug, title=str(title), column=str(column), count_label=str(_("Entries")), rows=rows)


def _grouped(model, ids, key: str) -> dict:
    rows = model.objects.filter(entry__in=ids).values(key).annotate(n=Count("entry_id", distinct=True)).order_by()
    return {row[key]: row["n"] for row in rows if row[key] is not None}


@dataclass(frozen=True)
class RegionReport:
    region: Region
    year: int
    entries: int
    tables: list[BriefTable]


def region_report(*, tenant, region: Region, year: int) -> RegionReport:
    """The report's figures: 1 count, 4 grouped counts and 3 label lists."""
    queryset = region_entries(tenant=tenant, region=region, year=year)
    ids = queryset.order_by().values("pk")
    lines = _grouped(Entry.action_lines.through, ids, "actionline_id")
    goals = _grouped(Entry.sdgs.through, ids, "sustainabledevelopmentgoal_id")
    places = {
        row["country"]: row["n"]
        for row in EntryCountry.objects.filter(entry__in=ids).values("country").annotate(n=Count("entry")).order_by()
    }
    types = {
        row["stakeholder_type"]: row["n"]
        for row in Entry.objects.filter(pk__in=ids, stakeholder_type__isnull=False)
        .values("stakeholder_type")
        .annotate(n=Count("pk"))
        .order_by()
    }
    line_labels = {line.pk: str(line) for line in ActionLine.objects.filter(pk__in=list(lines))} if lines else {}
    goal_labels = (
        {goal.pk: str(goal) for goal in SustainableDevelopmentGoal.objects.filter(pk__in=list(goals))} if goals else {}
    )
    type_labels = {item.pk: item.name for item in StakeholderType.objects.filter(pk__in=list(types))} if types else {}
    tables = [
        _table(
            "action-lines",
            _("Entries by Action Line"),
            _("Action Line"),
            [(line_labels.get(pk, pk), n) for pk, n in lines.items()],
        ),
        _table(
            "sdgs",
            _("Entries by Sustainable Development Goal"),
            _("Sustainable Development Goal"),
            [(goal_labels.get(pk, pk), n) for pk, n in goals.items()],
        ),
        _table(
            "countries",
            _("Entries by country"),
            _("Country"),
            [(countries.name(code) or code, n) for code, n in places.items()],
        ),
        _table(
            "stakeholder-types",
            _("Entries by stakeholder type"),
            _("Stakeholder type"),
            [(type_labels.get(pk, pk), n) for pk, n in types.items()],
        ),
    ]
    return RegionReport(region=region, year=year, entries=queryset.count(), tables=tables)


def report_years(*, this_year: int) -> list[int]:
    """The years the index links to, newest first."""
    return [year for year in range(this_year, this_year - INDEX_YEARS, -1) if year >= FIRST_YEAR]
