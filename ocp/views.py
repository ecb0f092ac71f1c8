"""Stakeholder pages of the Open Consultation Process: resolve, authorise,
validate, call a service, redirect."""

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
from wsis_portal.editions.enums import CallKind
from wsis_portal.editions.models import Call, Meeting
from wsis_portal.editions.services import SubmissionError

from . import facilitators, selectors, services
from .enums import EDITABLE_AFTER_DEADLINE, EDITABLE_STATUSES, OcpStatus
from .forms import (
    SpeakerFormSet,
    changes_from_form,
    show_saved_files,
    speakers_from_formset,
    step_for_missing,
    steps_for,
)
from .models import MODEL_BY_CALL_KIND, MODEL_BY_URL_KIND, OcpSubmission
from .presentation import step_summary


def overview(request):
    """The current edition's OCP: its calls with phases and deadlines, its
    meetings, and the visitor's own drafts and submissions."""
    now = timezone.now()
    edition = edition_selectors.current_edition(tenant=request.tenant, today=now.date())
    context = {"edition": edition, "now": now}
    if edition is not None:
        calls = selectors.ocp_calls(edition=edition)
        entries = {}
        if request.user.is_authenticated:
            entries = selectors.ocp_entries_for_owner(tenant=request.tenant, user=request.user, edition=edition)
        organisation_id = request.user.organisation_id if request.user.is_authenticated else None
        # One query, and only for a signed-in visitor facing an HLTF call.
        may_nominate = (
            request.user.is_authenticated
            and any(call.kind == CallKind.HLTF for call in calls)
            and facilitators.may_nominate(tenant_id=request.tenant.pk, organisation_id=organisation_id)
        )
        context["calls"] = [
            {
                "call": call,
                "model": MODEL_BY_CALL_KIND[call.kind],
                "phases": edition_selectors.phase_rows(call=call, now=now),
                "deadline": call.deadline_for(organisation_id),
                "is_open": call.accepts_submissions_at(now, organisation_id),
                "entries": entries.get(call.pk, []),
                "may_start": call.kind != CallKind.HLTF or may_nominate,
            }
            for call in calls
        ]
        context["meetings"] = Meeting.objects.filter(edition=edition)
    return render(request, "ocp/overview.html", context)


def _model(kind: str) -> type[OcpSubmission]:
    try:
        return MODEL_BY_URL_KIND[kind]
    except KeyError:
        raise Http404 from None


def _entry(request, kind: str, pk: int) -> OcpSubmission:
    return selectors.ocp_entry_for_owner(tenant=request.tenant, user=request.user, model=_model(kind), pk=pk)


def _is_editable(entry: OcpSubmission, now) -> bool:
    if entry.status in EDITABLE_AFTER_DEADLINE:
        return True
    return entry.status in EDITABLE_STATUSES and entry.call.accepts_submissions_at(now, entry.organisation_id)


def _step_url(entry: OcpSubmission, step_key: str) -> str:
    return reverse(
        "ocp:step", kwargs={"tenant_slug": entry.tenant.slug, "kind": entry.url_kind, "pk": entry.pk, "step": step_key}
    )


@login_required
@require_POST
def entry_start(request, call_id: int):
    call = get_object_or_404(
        Call.objects.select_related("edition__tenant").prefetch_related("phases", "extensions"),
        pk=call_id,
        edition__tenant=request.tenant,
        kind__in=list(MODEL_BY_CALL_KIND),
    )
    if not request.user.profile_is_complete:
        messages.info(request, _("Please complete your profile and organisation before you start."))
        return redirect("accounts:profile")
    try:
        entry = services.entry_start(model=MODEL_BY_CALL_KIND[call.kind], call=call, by=request.user)
    except SubmissionError as error:
        messages.error(request, error.message)
        return redirect("ocp:overview", tenant_slug=request.tenant.slug)
    return redirect(_step_url(entry, steps_for(type(entry))[0].key))


def _form_for(step, entry, data=None, files=None):
    if step.speakers:
        return SpeakerFormSet(data, instance=entry, prefix="speakers")
    # The form works on its own copy: an invalid form must not leave its
    # values on the entry the service saves.
    copy = type(entry).objects.select_related("call__edition").get(pk=entry.pk)
    return step.form_class(data, files, instance=copy, call=entry.call)


@login_required
def entry_step(request, kind: str, pk: int, step: str):
    entry = _entry(request, kind, pk)
    steps = steps_for(type(entry))
    current = next((candidate for candidate in steps if candidate.key == step), None)
    if current is None:
        raise Http404
    now = timezone.now()
    if not _is_editable(entry, now):
        messages.info(request, _("This can no longer be changed."))
        return redirect(entry.get_absolute_url())

    if request.method != "POST":
        form = _form_for(current, entry)
        return _render_step(request, entry, steps, current, form)

    form = _form_for(current, entry, request.POST, request.FILES)
    valid = form.is_valid()
    try:
        if current.speakers:
            # A formset with errors saves nothing: its new rows would be
            # created again when the corrected page is sent.
            if valid:
                services.workshop_speakers_save(workshop=entry, by=request.user, speakers=speakers_from_formset(form))
        else:
            changes = changes_from_form(form)
            if changes:
                saved = services.entry_save(entry=entry, by=request.user, changes=changes)
                show_saved_files(form, saved, names=changes)
    except SubmissionError as error:
        messages.error(request, error.message)
        return redirect(entry.get_absolute_url())
    if not valid:
        return _render_step(request, entry, steps, current, form, status=200)

    saved_at = time_format(timezone.localtime(timezone.now(), entry.call.edition.zone), "H:i")
    messages.success(request, _("Your draft was saved at %(time)s.") % {"time": saved_at})
    if request.POST.get("action") == "continue":
        index = steps.index(current)
        if index + 1 < len(steps):
            return redirect(_step_url(entry, steps[index + 1].key))
        return redirect(entry.get_absolute_url())
    return redirect(_step_url(entry, current.key))


def _render_step(request, entry, steps, current, form, status=200):
    index = steps.index(current)
    return render(
        request,
        "ocp/entry_step.html",
        {
            "entry": entry,
            "steps": [(step, _step_url(entry, step.key)) for step in steps],
            "step": current,
            "step_number": index + 1,
            "is_last_step": index + 1 == len(steps),
            "form": None if current.speakers else form,
            "formset": form if current.speakers else None,
            "autosave_url": None
            if current.speakers
            else reverse(
                "ocp:autosave",
                kwargs={"tenant_slug": entry.tenant.slug, "kind": entry.url_kind, "pk": entry.pk, "step": current.key},
            ),
        },
        status=status,
    )


@login_required
@require_POST
def entry_autosave(request, kind: str, pk: int, step: str):
    """Saves what is valid of a step in the background; answers JSON."""
    entry = _entry(request, kind, pk)
    current = next((candidate for candidate in steps_for(type(entry)) if candidate.key == step), None)
    if current is None:
        raise Http404
    if current.speakers:
        return JsonResponse({"saved": False, "message": _("This step is saved with its buttons.")}, status=400)
    form = _form_for(current, entry, request.POST, request.FILES)
    form.is_valid()
    try:
        changes = changes_from_form(form)
        if changes:
            entry = services.entry_save(entry=entry, by=request.user, changes=changes)
    except SubmissionError as error:
        return JsonResponse({"saved": False, "message": error.message}, status=409)
    saved_at = timezone.now()
    local = timezone.localtime(saved_at, entry.call.edition.zone)
    return JsonResponse(
        {
            "saved": True,
            "saved_at": saved_at.isoformat(),
            "fields": sorted(changes),
            "errors": {name: [str(error) for error in errors] for name, errors in form.errors.items()},
            "message": _("Draft saved automatically at %(time)s.") % {"time": time_format(local, "H:i")},
        }
    )


@login_required
def entry_review(request, kind: str, pk: int):
    entry = _entry(request, kind, pk)
    now = timezone.now()
    model = type(entry)
    steps = steps_for(model)
    editable = _is_editable(entry, now)
    is_open = entry.call.accepts_submissions_at(now, entry.organisation_id)
    missing = [
        (label, _step_url(entry, step.key) if (step := step_for_missing(model, label)) and editable else None)
        for label in entry.missing_for_submission()
    ]
    return render(
        request,
        "ocp/entry_review.html",
        {
            "entry": entry,
            "steps": [(step, _step_url(entry, step.key)) for step in steps],
            "sections": [(step, _step_url(entry, step.key), step_summary(entry, step)) for step in steps],
            "missing": missing,
            "editable": editable,
            "can_submit": (is_open and entry.status == OcpStatus.DRAFT) or entry.status == OcpStatus.CHANGES_REQUESTED,
            "can_withdraw": is_open and entry.status == OcpStatus.SUBMITTED,
            "deadline": entry.call.deadline_for(entry.organisation_id),
        },
    )


@login_required
@require_POST
def entry_submit(request, kind: str, pk: int):
    entry = _entry(request, kind, pk)
    resubmission = entry.status == OcpStatus.CHANGES_REQUESTED
    try:
        entry = services.entry_submit(entry=entry, by=request.user)
    except SubmissionError as error:
        messages.error(request, error.message)
        return redirect(entry.get_absolute_url())
    if resubmission:
        messages.success(request, _("Submitted again. The secretariat will review your changes."))
        return redirect(entry.get_absolute_url())
    messages.success(
        request,
        _("Submitted. Your reference is %(reference)s; a receipt is on its way by email.")
        % {"reference": entry.reference},
    )
    return redirect(entry.get_absolute_url())


@login_required
@require_POST
def entry_withdraw(request, kind: str, pk: int):
    entry = _entry(request, kind, pk)
    try:
        services.entry_withdraw(entry=entry, by=request.user)
    except SubmissionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Withdrawn. The secretariat will not review it."))
    return redirect(entry.get_absolute_url())
