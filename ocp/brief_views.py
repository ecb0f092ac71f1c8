"""The final brief's page and the CSV file of each of its tables.

The public sees them once the brief is published; the tenant's staff (any
role) and platform operators see them at all times, with a notice while the
brief is not public. Otherwise: 404.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import get_language_bidi

from wsis_portal.editions import selectors as edition_selectors
from wsis_portal.editions.models import Edition

from . import brief
from .export import as_csv

# Chart geometry, in pixels (rows) and per cent of the chart's width (bars).
ROW_HEIGHT = 46
LABEL_BASELINE = 16
BAR_TOP = 22
BAR_HEIGHT = 16
LABEL_CHARS = 40  # what fits above a bar on a phone
BAR_AREA = 80  # the longest bar; the rest of the width is for its figure


def _sees_unpublished(request) -> bool:
    """Staff of the tenant, whatever their role, and platform operators."""
    return request.user.has_perm("tenants.view_tenant_data", request.tenant)


def _edition(request, *, staff: bool) -> Edition:
    """``?edition=<year>`` or the current edition, as on the agenda; staff may
    also open the brief of an edition not yet published."""
    year = request.GET.get("edition", "").strip()
    if year:
        if not year.isdigit():
            raise Http404
        editions = (
            Edition.objects.filter(tenant=request.tenant)
            if staff
            else edition_selectors.published_editions(tenant=request.tenant)
        )
        edition = editions.filter(year=int(year)).first()
    else:
        edition = edition_selectors.current_edition(tenant=request.tenant, today=timezone.now().date())
    if edition is None:
        raise Http404
    return edition


def _visible_brief(request):
    """The edition, its brief (or None) and whether it is public; 404 for who may not see it."""
    staff = _sees_unpublished(request)
    edition = _edition(request, staff=staff)
    final_brief = brief.brief_for_edition(edition=edition)
    public = brief.brief_is_public(final_brief, now=timezone.now())
    if not public and not staff:
        raise Http404
    return edition, final_brief, public


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    share: float
    y_label: int
    y_bar: int
    y_figure: int
    x: str  # where the bar starts, in per cent ("12.50%")
    width: str
    x_figure: str  # where its figure starts: after the bar's end
    dx: int


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    height: int
    target_x: str = ""  # the target line (per cent), when the table has one
    rtl: bool = False


def _percent(value: float) -> str:
    # Not localised: it goes into SVG attributes.
    return f"{value:.2f}%"


def chart_for(table: brief.BriefTable, *, rtl: bool) -> Chart:
    """The bars of ``table``'s horizontal chart: longest bar = the largest count,
    or, for a table with a target, full width = 100 % share. Right to left,
    the bars grow from the right edge."""
    bars = []
    for index, row in enumerate(table.rows):
        if table.target is not None:
            length = BAR_AREA * row.share / 100
        else:
            length = BAR_AREA * row.count / table.largest if table.largest else 0
        top = index * ROW_HEIGHT
        start = 100 - length if rtl else 0
        bars.append(
            Bar(
                # The table beside the chart gives the whole label.
                label=Truncator(row.label).chars(LABEL_CHARS),
                count=row.count,
                share=row.share,
                y_label=top + LABEL_BASELINE,
                y_bar=top + BAR_TOP,
                y_figure=top + BAR_TOP + BAR_HEIGHT - 3,
                x=_percent(start),
                width=_percent(length),
                x_figure=_percent(start if rtl else length),
                dx=-6 if rtl else 6,
            )
        )
    target_x = ""
    if table.target is not None:
        at = BAR_AREA * table.target / 100
        target_x = _percent(100 - at if rtl else at)
    return Chart(bars=bars, height=len(bars) * ROW_HEIGHT + 8, target_x=target_x, rtl=rtl)


def brief_page(request):
    edition, final_brief, public = _visible_brief(request)
    figures = brief.brief_figures(edition=edition)
    rtl = get_language_bidi()
    context = {
        "edition": edition,
        "brief": final_brief,
        "public": public,
        # The day in the edition's time zone, as its deadlines are.
        "published_on": timezone.localtime(final_brief.published_at, edition.zone).date()
        if final_brief and final_brief.published_at
        else None,
        "figures": figures,
        "charts": [(table, chart_for(table, rtl=rtl)) for table in figures.tables],
        "year_param": request.GET.get("edition", "").strip(),
    }
    return render(request, "ocp/brief.html", context)


def brief_csv(request, table: str):
    edition, _brief, _public = _visible_brief(request)
    found = brief.brief_figures(edition=edition).table(table)
    if found is None:
        raise Http404
    response = HttpResponse(as_csv(found.csv_rows()), content_type="text/csv; charset=utf-8")
    filename = f"{request.tenant.slug}-ocp-brief-{edition.year}-{found.slug}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
