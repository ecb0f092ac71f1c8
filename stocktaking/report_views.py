"""Public pages of the regional reports and of the special collections."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import get_language_bidi

from ocp.brief_views import chart_for
from wsis_portal.reference.models import Region

from . import reports, search
from .enums import EntryStatus
from .models import FIRST_YEAR, LAST_YEAR, Collection

PAGE_SIZE = 20


def _entries_page(request, queryset):
    ordered = queryset.select_related("stakeholder_type").order_by("title", "pk")
    return Paginator(ordered, PAGE_SIZE).get_page(request.GET.get("page"))


def reports_index(request):
    """The regions, each with links to the reports of the last years."""
    this_year = timezone.localdate().year
    context = {"regions": list(Region.objects.all()), "years": reports.report_years(this_year=this_year)}
    return render(request, "stocktaking/report_index.html", context)


def region_report(request, region: str, year: int):
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Http404
    found = get_object_or_404(Region, slug=region)
    report = reports.region_report(tenant=request.tenant, region=found, year=year)
    rtl = get_language_bidi()
    context = {
        "report": report,
        "charts": [(table, chart_for(table, rtl=rtl)) for table in report.tables],
        "page": _entries_page(request, reports.region_entries(tenant=request.tenant, region=found, year=year)),
    }
    return render(request, "stocktaking/report_detail.html", context)


def _published_count():
    return Count(
        "entries",
        filter=Q(entries__status=EntryStatus.PUBLISHED, entries__revision_of__isnull=True),
        distinct=True,
    )


def collections_index(request):
    collections = Collection.objects.filter(tenant=request.tenant).annotate(published=_published_count())
    return render(request, "stocktaking/collection_list.html", {"collections": collections})


def collection_detail(request, slug: str):
    collection = get_object_or_404(Collection.objects.filter(tenant=request.tenant), slug=slug)
    entries = search.published_entries(tenant=request.tenant).filter(collections=collection)
    context = {"collection": collection, "page": _entries_page(request, entries)}
    return render(request, "stocktaking/collection_detail.html", context)
