"""Stocktaking pages: the downloads of a search and the entry page, and the
owner's entries (create, edit, submit). Resolve, authorise, validate, call a
service, redirect. The search page is ``search_views``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import opendata, prize_link, search, services, updates
from .enums import OWNER_EDITABLE, EntryStatus
from .forms import EntryForm, SearchForm
from .models import Entry
from .search_views import search_results


def _download(request, *, chunks, content_type: str, extension: str) -> StreamingHttpResponse:
    """The search's results (same GET filters and sort as the page), streamed."""
    form = SearchForm(request.GET or None, tenant=request.tenant)
    params = form.params()
    results = search_results(request, form, params)
    ordered = search.with_public_relations(
        search.sort_entries(results, sort=params.sort, has_keyword=bool(params.q.strip()))
    )
    response = StreamingHttpResponse(chunks(ordered, tenant=request.tenant, request=request), content_type=content_type)
    filename = f"stocktaking-{request.tenant.slug}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def download_csv(request):
    return _download(request, chunks=opendata.csv_chunks, content_type="text/csv; charset=utf-8", extension="csv")


def download_json(request):
    return _download(request, chunks=opendata.json_chunks, content_type="application/json", extension="json")


def entry_detail(request, pk: int):
    entry = search.published_entry(tenant=request.tenant, pk=pk)
    context = {"entry": entry, "is_stale": entry.is_stale(before=updates.stale_before())}
    if request.user.is_authenticated and entry.owner_id == request.user.pk:
        context["prize_contest"] = prize_link.open_contest(tenant=request.tenant, now=timezone.now())
    return render(request, "stocktaking/entry_detail.html", context)


def _own_entry(request, pk: int) -> Entry:
    """The requesting owner's entry of this tenant (404 for anybody else's)."""
    return get_object_or_404(
        Entry.objects.filter(tenant=request.tenant, owner=request.user, revision_of__isnull=True), pk=pk
    )


def _working_copy(entry: Entry) -> tuple[Entry, bool]:
    """The row the owner's form shows, and whether the owner may change it."""
    if entry.status == EntryStatus.PUBLISHED:
        revision = entry.revisions.first()
        if revision is None:
            return entry, True
        return revision, revision.status in OWNER_EDITABLE
    return entry, entry.status in OWNER_EDITABLE


@login_required
def my_entries(request):
    entries = (
        Entry.objects.filter(tenant=request.tenant, owner=request.user, revision_of__isnull=True)
        .prefetch_related("revisions")
        .order_by("-updated_at")
    )
    rows = []
    for entry in entries:
        revisions = list(entry.revisions.all())
        rows.append({"entry": entry, "revision": revisions[0] if revisions else None})
    now = timezone.now()
    organisation_id = getattr(request.user, "organisation_id", None)
    call = updates.open_update_call(tenant=request.tenant, now=now, organisation_id=organisation_id)
    awaiting = []
    if call is not None:
        for entry in updates.awaiting_update(tenant=request.tenant, user=request.user, call=call):
            revisions = list(entry.revisions.all())
            awaiting.append({"entry": entry, "revision": revisions[0] if revisions else None})
    context = {
        "rows": rows,
        "update_call": call,
        "update_deadline": call.deadline_for(organisation_id) if call else None,
        "awaiting": awaiting,
    }
    return render(request, "stocktaking/entry_list_mine.html", context)


@login_required
@require_POST
def entry_confirm(request, pk: int):
    entry = _own_entry(request, pk)
    try:
        updates.entry_confirm(entry=entry, by=request.user)
    except services.ModerationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Thank you: “%(title)s” is confirmed as up to date.") % {"title": entry.title})
    return redirect("stocktaking:mine", tenant_slug=request.tenant.slug)


def _save_and_maybe_submit(request, entry: Entry):
    if request.POST.get("action") != "submit":
        messages.success(request, _("Your entry is saved."))
        return redirect("stocktaking:edit", tenant_slug=request.tenant.slug, pk=entry.public_entry_id)
    return _submit(request, entry)


def _submit(request, entry: Entry):
    try:
        services.entry_submit(entry=entry, by=request.user)
    except services.ModerationError as error:
        message = error.message
        if error.missing:
            message = f"{message} {', '.join(error.missing)}"
        messages.error(request, message)
        return redirect("stocktaking:edit", tenant_slug=request.tenant.slug, pk=entry.public_entry_id)
    messages.success(request, _("Your entry is sent to the secretariat for moderation."))
    return redirect("stocktaking:mine", tenant_slug=request.tenant.slug)


@login_required
def entry_create(request):
    form = EntryForm(request.POST or None, request.FILES or None, tenant=request.tenant)
    if request.method == "POST" and form.is_valid():
        data, many = form.changes()
        entry = services.entry_create(tenant=request.tenant, by=request.user, data=data, many=many)
        return _save_and_maybe_submit(request, entry)
    return render(request, "stocktaking/entry_form.html", {"form": form, "entry": None, "editable": True})


@login_required
def entry_edit(request, pk: int):
    entry = _own_entry(request, pk)
    working, editable = _working_copy(entry)
    form = EntryForm(request.POST or None, request.FILES or None, instance=working, tenant=request.tenant)
    if request.method == "POST":
        if not editable:
            messages.error(request, _("This entry cannot be changed while it is being moderated."))
            return redirect("stocktaking:mine", tenant_slug=request.tenant.slug)
        if form.is_valid():
            data, many = form.changes()
            try:
                saved = services.entry_update(entry=entry, by=request.user, data=data, many=many)
            except services.ModerationError as error:
                messages.error(request, error.message)
                return redirect("stocktaking:mine", tenant_slug=request.tenant.slug)
            return _save_and_maybe_submit(request, saved)
    context = {"form": form, "entry": entry, "working": working, "editable": editable}
    return render(request, "stocktaking/entry_form.html", context)


@login_required
@require_POST
def entry_submit(request, pk: int):
    entry = _own_entry(request, pk)
    working, _editable = _working_copy(entry)
    return _submit(request, working)
