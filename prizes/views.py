"""Stakeholder pages of the WSIS Prizes: resolve, authorise, validate, call a
service, redirect."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wsis_portal.editions import selectors as edition_selectors
from wsis_portal.editions.enums import SubmissionStatus
from wsis_portal.editions.services import SubmissionError

from . import selectors, services
from .enums import EDITABLE_STATUSES
from .forms import STEPS, changes_from_form, step_by_key, step_for_field
from .models import ContestCategory, PrizeEntry


def _current_contest(request, now):
    edition = edition_selectors.current_edition(tenant=request.tenant, today=now.date())
    if edition is None:
        return None, None
    return edition, selectors.contest_for_edition(edition=edition)


def overview(request):
    """The current edition's contest: phases with their dates, categories,
    criteria, and the visitor's own entries."""
    now = timezone.now()
    edition, contest = _current_contest(request, now)
    context = {"edition": edition, "contest": contest, "now": now}
    if contest is not None:
        call = selectors.prize_call(edition=edition)
        organisation_id = request.user.organisation_id if request.user.is_authenticated else None
        entries = []
        if request.user.is_authenticated:
            entries = selectors.entries_for_owner(tenant=request.tenant, user=request.user, contest=contest)
        context.update(
            call=call,
            phases=edition_selectors.phase_rows(call=call, now=now) if call else [],
            deadline=call.deadline_for(organisation_id) if call else None,
            is_open=bool(call and call.accepts_submissions_at(now, organisation_id)),
            categories=selectors.contest_categories(contest=contest),
            criteria=list(contest.criteria.all()),
            entries=entries,
            used_category_ids=selectors.categories_used_by_organisation(
                tenant=request.tenant, organisation_id=organisation_id, contest=contest
            ),
        )
    return render(request, "prizes/overview.html", context)


def _entry(request, pk: int) -> PrizeEntry:
    return selectors.entry_for_owner(tenant=request.tenant, user=request.user, pk=pk)


def _is_editable(entry: PrizeEntry, now) -> bool:
    return entry.status in EDITABLE_STATUSES and entry.call.accepts_submissions_at(now, entry.organisation_id)


def _step_url(entry: PrizeEntry, step_key: str) -> str:
    return reverse("prizes:step", kwargs={"tenant_slug": entry.tenant.slug, "pk": entry.pk, "step": step_key})


@login_required
@require_POST
def entry_start(request):
    now = timezone.now()
    _edition, contest = _current_contest(request, now)
    if contest is None:
        raise Http404
    if not request.user.profile_is_complete:
        messages.info(request, _("Please complete your profile and organisation before you start."))
        return redirect("accounts:profile")
    category = None
    if request.POST.get("category"):
        category = get_object_or_404(
            ContestCategory, pk=request.POST["category"] if request.POST["category"].isdigit() else 0, contest=contest
        )
    try:
        entry = services.entry_start(contest=contest, by=request.user, category=category, now=now)
    except SubmissionError as error:
        messages.error(request, error.message)
        return redirect("prizes:overview", tenant_slug=request.tenant.slug)
    return redirect(_step_url(entry, STEPS[0].key))


def _form_for(step, entry, data=None, files=None):
    # The form works on its own copy: an invalid form must not leave its
    # values on the entry the service saves.
    copy = PrizeEntry.objects.select_related("call__edition").get(pk=entry.pk)
    contest = selectors.contest_for_edition(edition=entry.call.edition)
    return step.form_class(data, files, instance=copy, contest=contest)


@login_required
def entry_step(request, pk: int, step: str):
    entry = _entry(request, pk)
    current = step_by_key(step)
    if current is None:
        raise Http404
    now = timezone.now()
    if not _is_editable(entry, now):
        messages.info(request, _("This can no longer be changed."))
        return redirect(entry.get_absolute_url())

    if request.method != "POST":
        return _render_step(request, entry, current, _form_for(current, entry))

    form = _form_for(current, entry, request.POST, request.FILES)
    valid = form.is_valid()
    try:
        changes = changes_from_form(form)
        if changes:
            services.entry_save(entry=entry, by=request.user, changes=changes)
    except SubmissionError as error:
        messages.error(request, error.message)
        return redirect(entry.get_absolute_url())
    if not valid:
        return _render_step(request, entry, current, form)

    saved_at = time_format(timezone.localtime(timezone.now(), entry.call.edition.zone), "H:i")
    messages.success(request, _("Your draft was saved at %(time)s.") % {"time": saved_at})
    if request.POST.get("action") == "continue":
        index = STEPS.index(current)
        if index + 1 < len(STEPS):
            return redirect(_step_url(entry, STEPS[index + 1].key))
        return redirect(entry.get_absolute_url())
    return redirect(_step_url(entry, current.key))


def _render_step(request, entry, current, form):
    index = STEPS.index(current)
    return render(
        request,
        "prizes/entry_step.html",
        {
            "entry": entry,
            "steps": [(step, _step_url(entry, step.key)) for step in STEPS],
            "step": current,
            "is_last_step": index + 1 == len(STEPS),
            "form": form,
            "autosave_url": reverse(
                "prizes:autosave", kwargs={"tenant_slug": entry.tenant.slug, "pk": entry.pk, "step": current.key}
            ),
        },
    )


@login_required
@require_POST
def entry_autosave(request, pk: int, step: str):
    """Saves what is valid of a step in the background; answers JSON."""
    entry = _entry(request, pk)
    current = step_by_key(step)
    if current is None:
        raise Http404
    form = _form_for(current, entry, request.POST, request.FILES)
    form.is_valid()
    try:
        changes = changes_from_form(form)
        if changes:
            entry = services.entry_save(entry=entry, by=request.user, changes=changes)
    except SubmissionError as error:
        return JsonResponse({"saved": False, "message": error.message}, status=409)
    local = timezone.localtime(timezone.now(), entry.call.edition.zone)
    return JsonResponse(
        {
            "saved": True,
            "fields": sorted(changes),
            "errors": {name: [str(error) for error in errors] for name, errors in form.errors.items()},
            "message": _("Draft saved automatically at %(time)s.") % {"time": time_format(local, "H:i")},
        }
    )


def _section_rows(entry: PrizeEntry, step) -> list[tuple[str, str]]:
    rows = []
    for name in step.form_class._meta.fields:
        field = PrizeEntry._meta.get_field(name)
        if field.many_to_many:
            value = ", ".join(str(item) for item in getattr(entry, name).all())
        elif field.is_relation:
            related = getattr(entry, name)
            value = "" if related is None else str(related)
        elif field.choices:
            value = str(getattr(entry, f"get_{name}_display")())
        elif name == "country":
            value = str(entry.country.name) if entry.country else ""
        elif isinstance(getattr(entry, name), bool):
            value = _("Yes") if getattr(entry, name) else _("No")
        elif name in ("image", "second_image"):
            file = getattr(entry, name)
            value = file.name.rsplit("/", 1)[-1] if file else ""
        else:
            value = str(getattr(entry, name) or "")
        rows.append((str(field.verbose_name), value))
    return rows


@login_required
def entry_review(request, pk: int):
    entry = _entry(request, pk)
    now = timezone.now()
    editable = _is_editable(entry, now)
    is_open = entry.call.accepts_submissions_at(now, entry.organisation_id)
    missing = [
        (label, _step_url(entry, step.key) if (step := step_for_field(name)) and editable else None)
        for name, label in entry.missing_fields()
    ]
    return render(
        request,
        "prizes/entry_review.html",
        {
            "entry": entry,
            "steps": [(step, _step_url(entry, step.key)) for step in STEPS],
            "sections": [(step, _step_url(entry, step.key), _section_rows(entry, step)) for step in STEPS],
            "missing": missing,
            "editable": editable,
            "can_submit": is_open and entry.status == SubmissionStatus.DRAFT,
            "can_withdraw": is_open and entry.status == SubmissionStatus.SUBMITTED,
            "deadline": entry.call.deadline_for(entry.organisation_id),
        },
    )


@login_required
@require_POST
def entry_submit(request, pk: int):
    entry = _entry(request, pk)
    try:
        entry = services.entry_submit(entry=entry, by=request.user)
    except SubmissionError as error:
        messages.error(request, error.message)
        for item in error.missing:
            messages.error(request, item)
        return redirect(entry.get_absolute_url())
    messages.success(
        request,
        _("Submitted. Your reference is %(reference)s; a receipt is on its way by email.")
        % {"reference": entry.reference},
    )
    return redirect(entry.get_absolute_url())


@login_required
@require_POST
def entry_withdraw(request, pk: int):
    entry = _entry(request, pk)
    try:
        services.entry_withdraw(entry=entry, by=request.user)
    except SubmissionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Withdrawn. Your organisation may enter another project in this category."))
    return redirect(entry.get_absolute_url())
