"""Nomination pages: the reviewers' scoring page and the public list of nominees."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wsis_portal.editions.enums import SubmissionStatus

from . import nomination, selectors
from .forms import EntryScoresForm
from .models import PrizeEntry
from .views import _current_contest


def _contest_or_404(request, now):
    _edition, contest = _current_contest(request, now)
    if contest is None:
        raise Http404
    return contest


@login_required
def review_categories(request):
    """The categories the signed-in reviewer scores in the current contest."""
    now = timezone.now()
    contest = _contest_or_404(request, now)
    categories = selectors.categories_for_reviewer(tenant=request.tenant, user=request.user, contest=contest)
    if not categories:
        raise Http404
    if len(categories) == 1:
        return redirect(_category_url(request, categories[0].pk))
    return render(request, "prizes/review_categories.html", {"contest": contest, "categories": categories})


def _category_url(request, pk: int) -> str:
    return reverse("prizes:review_category", kwargs={"tenant_slug": request.tenant.slug, "pk": pk})


def _render_category(request, contest, category, now, bound=None, status=200):
    criteria = list(contest.criteria.all())
    entries = selectors.entries_to_score(category=category)
    mine = selectors.scores_of_reviewer(category=category, user=request.user)
    rows = []
    for entry in entries:
        if bound is not None and bound.entry_pk == entry.pk:
            form = bound
        else:
            initial = {}
            for criterion_id, score in mine.get(entry.pk, {}).items():
                initial[f"value_{criterion_id}"] = score.value
                initial[f"comment_{criterion_id}"] = score.comment
            form = EntryScoresForm(criteria=criteria, initial=initial, prefix=f"entry-{entry.pk}")
        rows.append((entry, form, len(mine.get(entry.pk, {}))))
    phase = nomination.nomination_phase(contest=contest)
    return render(
        request,
        "prizes/review_category.html",
        {
            "contest": contest,
            "category": category,
            "criteria": criteria,
            "rows": rows,
            "phase": phase,
            "phase_open": phase is not None and phase.is_open_at(now),
        },
        status=status,
    )


@login_required
def review_category(request, pk: int):
    """The category's submitted entries, each with the reviewer's scoring form."""
    now = timezone.now()
    contest = _contest_or_404(request, now)
    category = selectors.category_for_reviewer(tenant=request.tenant, user=request.user, contest=contest, pk=pk)
    return _render_category(request, contest, category, now)


@login_required
@require_POST
def review_score(request, pk: int, entry_pk: int):
    """Store the reviewer's scores of one entry; an invalid form comes back
    with its errors next to the fields and the values as typed."""
    now = timezone.now()
    contest = _contest_or_404(request, now)
    category = selectors.category_for_reviewer(tenant=request.tenant, user=request.user, contest=contest, pk=pk)
    entry = get_object_or_404(
        PrizeEntry.objects.select_related("category__contest"),
        pk=entry_pk,
        category=category,
        tenant=request.tenant,
        status=SubmissionStatus.SUBMITTED,
    )
    form = EntryScoresForm(request.POST, criteria=list(contest.criteria.all()), prefix=f"entry-{entry.pk}")
    form.entry_pk = entry.pk
    if not form.is_valid():
        return _render_category(request, contest, category, now, bound=form, status=400)
    try:
        with transaction.atomic():
            for criterion, value, comment in form.scores():
                nomination.score_record(
                    entry=entry, criterion=criterion, by=request.user, value=value, comment=comment, now=now
                )
    except nomination.NominationError as error:
        form.add_error(None, error.message)
        return _render_category(request, contest, category, now, bound=form, status=400)
    messages.success(request, _("Your scores of %(title)s were saved.") % {"title": entry.title})
    return redirect(f"{_category_url(request, category.pk)}#entry-{entry.pk}")


def nominees(request):
    """The nominated projects per category, once the list is public."""
    now = timezone.now()
    edition, contest = _current_contest(request, now)
    if contest is None:
        raise Http404
    published = contest.nominees_published_at is not None
    return render(
        request,
        "prizes/nominees.html",
        {
            "edition": edition,
            "contest": contest,
            "published": published,
            "entries": selectors.nominees(contest=contest) if published else [],
        },
    )
