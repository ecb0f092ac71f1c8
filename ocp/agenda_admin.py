"""The agenda in the tenant-scoped admin: sessions, and the "Schedule as
session" action on accepted workshop requests."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wsis_portal.editions.formatting import zone_label
from wsis_portal.tenants.admin import TenantScopedAdmin, TenantScopedTabularInline

from .agenda import AgendaError, session_schedule_from_workshop
from .enums import OcpStatus
from .facilitators import assignment_problems
from .models import HltfNomination, Session, SessionFacilitator, SessionSpeaker


class ScheduleSessionForm(forms.Form):
    """When and where: the day and times are those of the edition's time zone."""

    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    start = forms.TimeField(label=_("Starts at"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    end = forms.TimeField(label=_("Ends at"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    room = forms.CharField(label=_("Room"), max_length=255, required=False)
    virtual_url = forms.URLField(
        label=_("Link to join remotely"), max_length=500, required=False, assume_scheme="https"
    )

    def __init__(self, *args, zone, **kwargs):
        super().__init__(*args, **kwargs)
        self.zone = zone

    def clean(self):
        cleaned = super().clean()
        day, start, end = cleaned.get("day"), cleaned.get("start"), cleaned.get("end")
        if day and start and end:
            cleaned["starts_at"] = dt.datetime.combine(day, start, tzinfo=self.zone)
            cleaned["ends_at"] = dt.datetime.combine(day, end, tzinfo=self.zone)
            if cleaned["ends_at"] <= cleaned["starts_at"]:
                raise forms.ValidationError(_("The session must end after it starts."))
        return cleaned


@admin.action(description=_("Schedule as session"), permissions=["decide"])
def schedule_as_session(modeladmin, request, queryset):
    """Asks for the day, times, room and link of one accepted workshop, then schedules it."""
    selected = set(request.POST.getlist(helpers.ACTION_CHECKBOX_NAME))
    workshops = list(queryset.select_related("call__edition", "tenant"))
    if len(workshops) != len(selected):
        raise Http404(gettext("Not found."))  # another tenant's workshop, or one that does not exist
    if len(workshops) != 1:
        modeladmin.message_user(request, gettext("Select exactly one workshop request to schedule."), messages.WARNING)
        return None
    workshop = workshops[0]
    edition = workshop.call.edition
    if hasattr(workshop, "session"):
        modeladmin.message_user(
            request,
            gettext("%(reference)s is already scheduled as a session.") % {"reference": workshop},
            messages.WARNING,
        )
        return None
    form = ScheduleSessionForm(request.POST if "apply" in request.POST else None, zone=edition.zone)
    if form.is_bound and form.is_valid():
        try:
            session = session_schedule_from_workshop(
                workshop=workshop,
                starts_at=form.cleaned_data["starts_at"],
                ends_at=form.cleaned_data["ends_at"],
                room=form.cleaned_data["room"],
                virtual_url=form.cleaned_data["virtual_url"],
                by=request.user,
            )
        except AgendaError as error:
            modeladmin.message_user(request, error.message, messages.ERROR)
            return None
        modeladmin.message_user(
            request,
            gettext("%(reference)s is scheduled as session “%(title)s”; publish it to show it on the agenda.")
            % {"reference": workshop, "title": session.title},
            messages.SUCCESS,
        )
        return None
    opts = modeladmin.model._meta
    return TemplateResponse(
        request,
        "admin/ocp/schedule_session.html",
        {
            **modeladmin.admin_site.each_context(request),
            "opts": opts,
            "title": gettext("Schedule %(reference)s as a session") % {"reference": workshop},
            "workshop": workshop,
            "edition": edition,
            "zone": zone_label(edition.zone),
            "form": form,
            "action": request.POST.get("action", ""),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        },
    )


class SessionSpeakerInline(TenantScopedTabularInline):
    model = SessionSpeaker
    extra = 0


class FacilitatorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.nominee_name or obj} ({obj.reference})" if obj.reference else str(obj.nominee_name or obj)


class SessionFacilitatorForm(forms.ModelForm):
    """Applies the assignment rules of ``ocp.facilitators`` (the service's own)
    to each row: only accepted nominations of the session's edition, and only
    for High-Level Policy Sessions. (No ``Meta``: the admin builds the fields,
    with its choices, when a request asks for the form.)"""

    def clean(self):
        cleaned = super().clean()
        nomination = cleaned.get("nomination")
        # The inline's parent field gives the session as edited on this page
        # (its format and edition included), saved or not.
        session = cleaned.get("session")
        if nomination is not None and session is not None and not cleaned.get("DELETE"):
            for problem in assignment_problems(session=session, nomination=nomination):
                self.add_error(None, problem)
        return cleaned


class SessionFacilitatorInline(TenantScopedTabularInline):
    """Selected High-Level Track Facilitators: the choices are the accepted
    HLTF nominations of the tenants the staff member manages and, once the
    session exists, of its edition."""

    model = SessionFacilitator
    form = SessionFacilitatorForm
    extra = 0
    verbose_name = _("High-Level Track Facilitator")
    verbose_name_plural = _("High-Level Track Facilitators (High-Level Policy Sessions only)")

    def get_formset(self, request, obj=None, **kwargs):
        request.__dict__["_ocp_facilitator_session"] = obj
        return super().get_formset(request, obj, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "nomination":
            nominations = HltfNomination.objects.filter(status=OcpStatus.ACCEPTED).select_related(None)
            session = request.__dict__.get("_ocp_facilitator_session")
            if session is not None:
                nominations = nominations.filter(call__edition_id=session.edition_id)
            kwargs["queryset"] = self._limit_to_tenants(request, nominations, managers_only=True).order_by(
                "nominee_name", "pk"
            )
            kwargs["form_class"] = FacilitatorChoiceField
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Session)
class SessionAdmin(TenantScopedAdmin):
    list_display = ["title", "edition", "local_start", "room", "session_format", "track", "is_published"]
    list_filter = ["is_published", "edition", "track", "session_format", "language", "action_lines", "sdgs"]
    list_select_related = ["edition", "session_format", "track"]
    search_fields = ["title", "description", "moderator", "room", "speakers__name"]
    filter_horizontal = ["action_lines", "sdgs"]
    readonly_fields = ["workshop_link", "created_at", "updated_at"]
    exclude = ["workshop"]
    inlines = [SessionSpeakerInline, SessionFacilitatorInline]
    actions = ["publish", "unpublish"]
    # Not the OCP entries' list (its export links belong to them).
    change_list_template = "admin/change_list.html"

    @admin.display(description=_("starts (edition's time)"), ordering="starts_at")
    def local_start(self, obj):
        return date_format(timezone.localtime(obj.starts_at, obj.edition.zone), "DATETIME_FORMAT")

    @admin.display(description=_("workshop request"))
    def workshop_link(self, obj):
        if obj.workshop_id is None:
            return "-"
        url = reverse("admin:ocp_workshoprequest_change", args=[obj.workshop_id])
        return format_html('<a href="{}">{}</a>', url, gettext("Open the workshop request"))

    def _publish(self, request, queryset, value):
        # Only the tenants the staff member manages.
        queryset = self._limit_to_tenants(request, queryset, managers_only=True)
        count = queryset.update(is_published=value, updated_at=timezone.now())
        self.message_user(
            request,
            (gettext("Published: %(count)d.") if value else gettext("Withdrawn from the agenda: %(count)d."))
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Publish on the agenda"), permissions=["change"])
    def publish(self, request, queryset):
        self._publish(request, queryset, True)

    @admin.action(description=_("Withdraw from the agenda"), permissions=["change"])
    def unpublish(self, request, queryset):
        self._publish(request, queryset, False)
