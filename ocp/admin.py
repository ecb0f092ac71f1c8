"""The OCP entries in the tenant-scoped admin: review actions, reviewer
assignment, internal comments, filters and export of the filtered list."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import quote, unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.defaultfilters import linebreaksbr
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from wsis_portal.reference.models import Region
from wsis_portal.tenants.admin import (
    TenantScopedAdmin,
    TenantScopedTabularInline,
    _is_operator,
    staff_tenant_ids,
)
from wsis_portal.tenants.enums import Role
from wsis_portal.tenants.models import Membership
from wsis_portal.tenants.selectors import tenant_ids_for_staff

from . import brief_admin  # noqa: F401  (registers the final brief)
from .agenda_admin import schedule_as_session
from .changes import entry_edits_after_submission
from .enums import OcpStatus
from .export import as_csv, as_xlsx, export_rows
from .models import (
    Contribution,
    CoordinationMechanism,
    DecisionEmailTemplate,
    ExhibitionRequest,
    HltfNomination,
    Speaker,
    SpeakerRecommendation,
    WorkshopRequest,
)
from .review import ReviewError, entry_comment, entry_transition
from .selectors import entry_internal_comments, entry_review_events

BASE_LIST_DISPLAY = ["reference", "title_for_owner", "organisation", "status", "submitted_at", "updated_at"]
BASE_SEARCH_FIELDS = ["reference", "organisation__name", "owner__email"]
REVIEW_ROLES = {Role.MANAGER, Role.REVIEWER}


def reviewing_tenant_ids(request) -> list[int]:
    """The tenants where the request's user is a manager or a reviewer (cached per request)."""
    cache = request.__dict__.setdefault("_ocp_reviewing_tenant_ids", {})
    if "ids" not in cache:
        cache["ids"] = tenant_ids_for_staff(user=request.user, roles=REVIEW_ROLES) if request.user.is_staff else []
    return cache["ids"]


class CountryListFilter(admin.SimpleListFilter):
    """The organisations' countries that occur among the visible entries (one query)."""

    title = _("country")
    parameter_name = "country"

    def lookups(self, request, model_admin):
        codes = (
            model_admin.get_queryset(request)
            .exclude(organisation__country="")
            .order_by()
            .values_list("organisation__country", flat=True)
            .distinct()
        )
        return sorted(((code, countries.name(code)) for code in codes if code), key=lambda item: str(item[1]))

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(organisation__country=self.value())
        return queryset


class RegionListFilter(admin.SimpleListFilter):
    """The organisations' region (a region lists its countries)."""

    title = _("region")
    parameter_name = "region"

    def lookups(self, request, model_admin):
        return [(str(region.pk), str(region)) for region in Region.objects.all()]

    def queryset(self, request, queryset):
        if not self.value() or not self.value().isdigit():
            return queryset
        region = Region.objects.filter(pk=self.value()).first()
        codes = [getattr(country, "code", country) for country in region.countries] if region else []
        return queryset.filter(organisation__country__in=codes)


class AssignedToMeListFilter(admin.SimpleListFilter):
    title = _("assignment")
    parameter_name = "assigned"

    def lookups(self, request, model_admin):
        return [("me", _("Assigned to me")), ("nobody", _("Not assigned"))]

    def queryset(self, request, queryset):
        if self.value() == "me":
            return queryset.filter(reviewers=request.user)
        if self.value() == "nobody":
            return queryset.filter(reviewers__isnull=True)
        return queryset


BASE_LIST_FILTER = [
    "status",
    AssignedToMeListFilter,
    "call",
    "organisation__stakeholder_type",
    RegionListFilter,
    CountryListFilter,
]


class OcpSubmissionAdmin(TenantScopedAdmin):
    list_display = BASE_LIST_DISPLAY
    list_filter = BASE_LIST_FILTER
    list_select_related = ["organisation", "tenant"]
    search_fields = BASE_SEARCH_FIELDS
    autocomplete_fields = ["call", "organisation"]
    # The status changes through the review service (the actions), never by hand.
    readonly_fields = ["status", "reference", "created_at", "updated_at", "submitted_at"]
    date_hierarchy = "updated_at"
    actions = ["mark_under_review", "accept", "reject", "request_changes"]

    def get_queryset(self, request):
        # The entries' manager already joins the tenant, and Django's changelist
        # then skips ``list_select_related``: join what the list shows here.
        return super().get_queryset(request).select_related(*self.list_select_related)

    @admin.display(description=_("title"))
    def title_for_owner(self, obj):
        return obj.title_for_owner

    # Reviewers see the change page read-only (as every role but managers) and
    # comment through ``comment_view``; only managers change fields, assign
    # reviewers and decide.

    def has_review_permission(self, request):
        return _is_operator(request) or bool(reviewing_tenant_ids(request))

    def has_decide_permission(self, request):
        return _is_operator(request) or bool(staff_tenant_ids(request, managers_only=True))

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is None:
            return readonly
        return readonly + ["status_changes", "edits_after_submission", "internal_comments_list"]

    def get_autocomplete_fields(self, request):
        # Reviewers are chosen from the tenant's staff list below, not searched among all accounts.
        return [name for name in super().get_autocomplete_fields(request) if name != "reviewers"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "reviewers":
            tenant_ids = request.__dict__.get("_ocp_entry_tenant_ids") or staff_tenant_ids(request, managers_only=True)
            members = Membership.objects.filter(tenant_id__in=tenant_ids, role__in=REVIEW_ROLES).values("user_id")
            kwargs["queryset"] = get_user_model().objects.filter(pk__in=members, is_active=True).order_by("email")
            kwargs["widget"] = admin.widgets.FilteredSelectMultiple(db_field.verbose_name, is_stacked=False)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        # Reviewers are chosen among the staff of the entry's own tenant.
        request.__dict__["_ocp_entry_tenant_ids"] = [obj.tenant_id] if obj is not None else None
        return super().get_form(request, obj, change, **kwargs)

    @admin.display(description=_("edits after submission"))
    def edits_after_submission(self, obj):
        edits = entry_edits_after_submission(obj)
        if not edits:
            return gettext("None.")
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>{} · {}<ul>{}</ul></li>",
                (
                    (
                        date_format(timezone.localtime(edit.at), "DATETIME_FORMAT"),
                        edit.by,
                        format_html_join(
                            "",
                            "<li><strong>{}</strong>: {} → {}</li>",
                            edit.changes,
                        ),
                    )
                    for edit in edits
                ),
            ),
        )

    @admin.display(description=_("status changes"))
    def status_changes(self, obj):
        events = entry_review_events(entry=obj)
        if not events:
            return gettext("None yet.")
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>{} · {} → {} · {}{}</li>",
                (
                    (
                        date_format(timezone.localtime(event.created_at), "DATETIME_FORMAT"),
                        event.get_from_status_display(),
                        event.get_to_status_display(),
                        event.by.email if event.by else gettext("deleted account"),
                        f" · {event.note}" if event.note else "",
                    )
                    for event in events
                ),
            ),
        )

    @admin.display(description=_("internal comments (never shown to the stakeholder)"))
    def internal_comments_list(self, obj):
        comments = entry_internal_comments(entry=obj)
        if not comments:
            return gettext("None yet.")
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li><strong>{}</strong> · {}<br>{}</li>",
                (
                    (
                        comment.author.email if comment.author else gettext("deleted account"),
                        date_format(timezone.localtime(comment.created_at), "DATETIME_FORMAT"),
                        linebreaksbr(comment.text),
                    )
                    for comment in comments
                ),
            ),
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        entry = self.get_object(request, unquote(object_id))
        if entry is not None and request.user.has_perm("ocp.comment_entry", entry):
            opts = self.model._meta
            extra_context["comment_url"] = reverse(
                f"admin:{opts.app_label}_{opts.model_name}_comment", args=[quote(entry.pk)]
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def comment_view(self, request, object_id):
        """Adds an internal comment (POST) and returns to the change page."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        entry = self.get_object(request, unquote(object_id))
        if entry is None:
            raise Http404(gettext("Not found."))
        if not request.user.has_perm("ocp.comment_entry", entry):
            raise PermissionDenied
        opts = self.model._meta
        change_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[quote(entry.pk)])
        try:
            entry_comment(entry=entry, by=request.user, text=request.POST.get("text", ""))
        except ReviewError as error:
            self.message_user(request, error.message, messages.ERROR)
        else:
            self.message_user(request, gettext("Your internal comment was added."), messages.SUCCESS)
        return HttpResponseRedirect(change_url)

    # Review actions: each entry goes through the review service.

    def _decide(self, request, queryset, to_status):
        """Ask for an optional message to the stakeholders first, then move."""
        if "apply" in request.POST:
            return self._move(request, queryset, to_status, note=request.POST.get("note", "").strip())
        opts = self.model._meta
        count = queryset.count()
        return TemplateResponse(
            request,
            "admin/ocp/review_decision.html",
            {
                **self.admin_site.each_context(request),
                "opts": opts,
                "title": ngettext("%(decision)s: %(count)d entry", "%(decision)s: %(count)d entries", count)
                % {"decision": OcpStatus(to_status).label, "count": count},
                "entries": queryset,
                "action": request.POST.get("action", ""),
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "decision": OcpStatus(to_status).label,
            },
        )

    def _move(self, request, queryset, to_status, note=""):
        changed = skipped = 0
        reasons = []
        for entry in queryset.select_related("owner", "call__edition"):
            try:
                entry_transition(entry=entry, to_status=to_status, by=request.user, note=note, now=timezone.now())
            except ReviewError as error:
                skipped += 1
                if len(reasons) < 5:
                    reasons.append(error.message)
            else:
                changed += 1
        label = OcpStatus(to_status).label
        self.message_user(
            request,
            gettext("Moved to “%(status)s”: %(changed)d; skipped: %(skipped)d.")
            % {"status": label, "changed": changed, "skipped": skipped},
            messages.SUCCESS if not skipped else messages.WARNING,
        )
        for reason in reasons:
            self.message_user(request, reason, messages.WARNING)

    @admin.action(description=_("Mark as under review"), permissions=["review"])
    def mark_under_review(self, request, queryset):
        self._move(request, queryset, OcpStatus.UNDER_REVIEW)

    @admin.action(description=_("Accept (emails the stakeholder)"), permissions=["decide"])
    def accept(self, request, queryset):
        return self._decide(request, queryset, OcpStatus.ACCEPTED)

    @admin.action(description=_("Reject (emails the stakeholder)"), permissions=["decide"])
    def reject(self, request, queryset):
        return self._decide(request, queryset, OcpStatus.REJECTED)

    @admin.action(description=_("Request changes (emails the stakeholder)"), permissions=["decide"])
    def request_changes(self, request, queryset):
        return self._decide(request, queryset, OcpStatus.CHANGES_REQUESTED)

    # Export of the filtered changelist.

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "<path:object_id>/comment/",
                self.admin_site.admin_view(self.comment_view),
                name=f"{opts.app_label}_{opts.model_name}_comment",
            ),
            path(
                "export/<str:file_format>/",
                self.admin_site.admin_view(self.export_view),
                name=f"{opts.app_label}_{opts.model_name}_export",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        opts = self.model._meta
        query = request.GET.urlencode()
        base = reverse(f"admin:{opts.app_label}_{opts.model_name}_export", args=["csv"])[: -len("csv/")]
        extra_context = {
            **(extra_context or {}),
            "export_csv_url": f"{base}csv/" + (f"?{query}" if query else ""),
            "export_xlsx_url": f"{base}xlsx/" + (f"?{query}" if query else ""),
        }
        return super().changelist_view(request, extra_context)

    def export_view(self, request, file_format):
        if file_format not in ("csv", "xlsx"):
            raise PermissionDenied
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return HttpResponseRedirect(request.path + "?e=1")
        rows = export_rows(changelist.get_queryset(request))
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        name = f"{self.model._meta.model_name}-{stamp}.{file_format}"
        if file_format == "csv":
            response = HttpResponse(as_csv(rows), content_type="text/csv; charset=utf-8")
        else:
            response = HttpResponse(
                as_xlsx(rows, title=str(self.model._meta.verbose_name_plural)),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class SpeakerInline(TenantScopedTabularInline):
    model = Speaker
    extra = 0


@admin.register(Contribution)
class ContributionAdmin(OcpSubmissionAdmin):
    list_filter = [*BASE_LIST_FILTER, "action_lines", "sdgs"]
    search_fields = [*BASE_SEARCH_FIELDS, "thematic_aspects", "format_innovations", "suggested_themes"]
    filter_horizontal = ["action_lines", "sdgs"]


@admin.register(WorkshopRequest)
class WorkshopRequestAdmin(OcpSubmissionAdmin):
    list_display = [*BASE_LIST_DISPLAY, "session_format", "binding_request"]
    list_filter = [
        *BASE_LIST_FILTER,
        "session_format",
        "track",
        "binding_request",
        "language",
        "action_lines",
        "sdgs",
    ]
    list_select_related = ["organisation", "tenant", "session_format"]
    search_fields = [*BASE_SEARCH_FIELDS, "title", "abstract", "moderator_name", "speakers__name"]
    filter_horizontal = ["action_lines", "sdgs"]
    inlines = [SpeakerInline]
    actions = [*OcpSubmissionAdmin.actions, schedule_as_session]


@admin.register(ExhibitionRequest)
class ExhibitionRequestAdmin(OcpSubmissionAdmin):
    list_display = [*BASE_LIST_DISPLAY, "space_size"]
    list_filter = [*BASE_LIST_FILTER, "space_size", "needs_power", "needs_internet", "action_lines", "sdgs"]
    search_fields = [*BASE_SEARCH_FIELDS, "showcase"]
    filter_horizontal = ["action_lines", "sdgs"]


@admin.register(SpeakerRecommendation)
class SpeakerRecommendationAdmin(OcpSubmissionAdmin):
    search_fields = [*BASE_SEARCH_FIELDS, "speaker_name", "speaker_organisation", "topic"]


@admin.register(HltfNomination)
class HltfNominationAdmin(OcpSubmissionAdmin):
    list_display = [*BASE_LIST_DISPLAY, "nominating_stakeholder_type", "nominee_gender"]
    list_filter = [*BASE_LIST_FILTER, "nominating_stakeholder_type", "nominee_gender"]
    search_fields = [*BASE_SEARCH_FIELDS, "nominee_name", "nominee_organisation", "mechanism"]


@admin.register(CoordinationMechanism)
class CoordinationMechanismAdmin(TenantScopedAdmin):
    """The stakeholder coordination mechanisms the secretariat recognises:
    members of their organisations may nominate High-Level Track Facilitators.
    Organisations are shared by every tenant: they are searched (autocomplete),
    not listed."""

    list_display = ["name", "stakeholder_type", "tenant", "organisation_count"]
    list_filter = ["stakeholder_type", "tenant"]
    list_select_related = ["stakeholder_type", "tenant"]
    search_fields = ["name", "organisations__name"]
    autocomplete_fields = ["organisations"]

    def get_queryset(self, request):
        from django.db.models import Count

        return super().get_queryset(request).annotate(organisation_total=Count("organisations", distinct=True))

    @admin.display(description=_("organisations"), ordering="organisation_total")
    def organisation_count(self, obj):
        return obj.organisation_total


@admin.register(DecisionEmailTemplate)
class DecisionEmailTemplateAdmin(TenantScopedAdmin):
    """The secretariat's own wording of the decision emails; without one, the
    portal's translated wording is sent."""

    list_display = ["decision", "language", "subject", "tenant", "updated_at"]
    list_filter = ["decision", "language", "tenant"]
    list_select_related = ["tenant"]
    search_fields = ["subject", "body"]
