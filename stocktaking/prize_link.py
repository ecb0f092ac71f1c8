"""From a published stocktaking entry to the WSIS Prizes: its owner starts a
prize entry prefilled from it (``prizes.services.prize_entry_prefill_from``)
while the tenant's contest takes submissions."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from prizes import selectors as prize_selectors
from prizes import services as prize_services
from prizes.forms import STEPS
from wsis_portal.editions import selectors as edition_selectors
from wsis_portal.editions.services import SubmissionError

from .enums import EntryStatus
from .models import Entry


def open_contest(*, tenant, now: dt.datetime, organisation_id: int | None = None):
    """The current edition's contest if its prizes call takes submissions at
    ``now``, else ``None`` (at most five queries)."""
    edition = edition_selectors.current_edition(tenant=tenant, today=now.date())
    if edition is None:
        return None
    contest = prize_selectors.contest_for_edition(edition=edition)
    if contest is None:
        return None
    call = prize_selectors.prize_call(edition=edition)
    if call is None or not call.accepts_submissions_at(now, organisation_id):
        return None
    return contest


@login_required
@require_POST
def prize_enter(request, pk: int):
    """Start a prize entry from the owner's published entry ``pk``, then go to its first step."""
    entry = get_object_or_404(
        Entry.objects.filter(
            tenant=request.tenant, owner=request.user, status=EntryStatus.PUBLISHED, revision_of__isnull=True
        ).prefetch_related("sdgs"),
        pk=pk,
    )
    if not request.user.profile_is_complete:
        messages.info(request, _("Please complete your profile and organisation before you start."))
        return redirect("accounts:profile")
    now = timezone.now()
    contest = open_contest(tenant=request.tenant, now=now, organisation_id=request.user.organisation_id)
    if contest is None:
        messages.error(request, _("The WSIS Prizes do not take submissions at the moment."))
        return redirect(entry.get_absolute_url())
    try:
        prize_entry = prize_services.entry_start(
            contest=contest, by=request.user, prefill=prize_services.prize_entry_prefill_from(entry), now=now
        )
    except SubmissionError as error:
        messages.error(request, error.message)
        return redirect(entry.get_absolute_url())
    messages.success(request, _("Your prize entry is started from “%(title)s”.") % {"title": entry.title})
    return redirect(
        reverse(
            "prizes:step",
            kwargs={"tenant_slug": request.tenant.slug, "pk": prize_entry.pk, "step": STEPS[0].key},
        )
    )
