from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from wsis_portal.tenants.selectors import active_tenants

from . import selectors
from .enums import EditionStatus
from .models import Edition


def platform_home(request):
    tenants = list(active_tenants())
    if len(tenants) == 1:
        return redirect("editions:tenant_home", tenant_slug=tenants[0].slug)
    return render(request, "editions/platform_home.html", {"tenants": tenants})


def tenant_home(request):
    now = timezone.now()
    edition = selectors.current_edition(tenant=request.tenant, today=now.date())
    context = {"edition": edition, "now": now}
    if edition is not None:
        calls = list(selectors.calls_with_phases(edition=edition))
        context.update(
            open_calls=[call for call in calls if call.accepts_submissions_at(now)],
            timeline=selectors.edition_timeline(edition=edition, calls=calls),
            other_editions=selectors.published_editions(tenant=request.tenant).exclude(pk=edition.pk),
        )
    return render(request, "editions/tenant_home.html", context)


def edition_detail(request, year: int):
    edition = get_object_or_404(Edition, tenant=request.tenant, year=year)
    if edition.status == EditionStatus.DRAFT and not request.user.has_perm("tenants.view_tenant_data", request.tenant):
        raise Http404
    now = timezone.now()
    calls = list(selectors.calls_with_phases(edition=edition))
    return render(
        request,
        "editions/edition_detail.html",
        {
            "edition": edition,
            "calls": [(call, selectors.phase_rows(call=call, now=now)) for call in calls],
            "now": now,
            "timeline": selectors.edition_timeline(edition=edition, calls=calls),
            "tracks": edition.tracks.select_related("special_track"),
        },
    )


@login_required
def my_submissions(request):
    submissions = selectors.submissions_for_owner(tenant=request.tenant, user=request.user)
    return render(request, "editions/my_submissions.html", {"submissions": submissions, "now": timezone.now()})
