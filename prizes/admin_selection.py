"""Admin of the experts' selection and the winners: the experts of each
category (an inline on the category page), the Champions with the experts'
aggregated ranking and the tie flags, the tally and the confirmation of the
Winners (actions calling ``prizes.selection``)."""

from __future__ import annotations

from collections import defaultdict

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from wsis_portal.tenants.admin import (
    ReadOnlyTenantScopedAdmin,
    TenantScopedAdmin,
    TenantScopedTabularInline,
    staff_tenant_ids,
)
from wsis_portal.tenants.enums import Role
from wsis_portal.tenants.models import Membership

from .admin import ContestAdmin, ContestCategoryAdmin
from .models import CategoryExpert, Champion, ExpertRanking, Winner
from .selection import SelectionError, _aggregate, is_announced, tally_run, winner_confirm

EXPERT_ROLES = [Role.MANAGER, Role.EXPERT]


class ExpertFormSet(BaseInlineFormSet):
    """A category form posted without the experts' part (a form opened
    before this inline existed, or a script that sets only the category)
    leaves the experts as they are instead of failing on the missing
    management form."""

    def __init__(self, data=None, *args, **kwargs):
        prefix = kwargs.get("prefix") or self.get_default_prefix()
        if data is not None and f"{prefix}-TOTAL_FORMS" not in data:
            data = data.copy()
            data[f"{prefix}-TOTAL_FORMS"] = data[f"{prefix}-INITIAL_FORMS"] = "0"
        super().__init__(data, *args, **kwargs)


class CategoryExpertInline(TenantScopedTabularInline):
    """Who ranks the category's Champions: experts and managers of its tenant."""

    model = CategoryExpert
    formset = ExpertFormSet
    extra = 1
    fields = ["user"]
    verbose_name = _("expert")
    verbose_name_plural = _("experts who rank the Champions of this category")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            tenant_ids = request.__dict__.get("_prizes_category_tenant_ids") or staff_tenant_ids(
                request, managers_only=True
            )
            members = Membership.objects.filter(tenant_id__in=tenant_ids, role__in=EXPERT_ROLES).values("user_id")
            kwargs["queryset"] = get_user_model().objects.filter(pk__in=members, is_active=True).order_by("email")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


ContestCategoryAdmin.inlines = [*ContestCategoryAdmin.inlines, CategoryExpertInline]


def _is_manager_somewhere(request) -> bool:
    return request.user.is_superuser or bool(staff_tenant_ids(request, managers_only=True))


@admin.action(description=_("Count the votes and make the Champions (once, after the voting)"), permissions=["tally"])
def run_tally(modeladmin, request, queryset):
    for contest in queryset.select_related("edition"):
        if not modeladmin.has_change_permission(request, contest):
            continue
        try:
            made = tally_run(contest=contest, now=timezone.now())
        except SelectionError as error:
            modeladmin.message_user(request, f"{contest}: {error.message}", messages.ERROR)
            continue
        if made:
            message = ngettext("%(contest)s: %(count)d Champion made.", "%(contest)s: %(count)d Champions made.", made)
            modeladmin.message_user(request, message % {"contest": contest, "count": made}, messages.SUCCESS)
        else:
            modeladmin.message_user(
                request,
                gettext("%(contest)s: the votes were already counted; nothing changed.") % {"contest": contest},
                messages.WARNING,
            )


ContestAdmin.actions = [*ContestAdmin.actions, run_tally]
ContestAdmin.has_tally_permission = lambda self, request: _is_manager_somewhere(request)


class WinnerListFilter(admin.SimpleListFilter):
    title = _("Winner")
    parameter_name = "winner"

    def lookups(self, request, model_admin):
        return [("yes", _("Winner")), ("no", _("Not a Winner"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(winner__isnull=self.value() == "no")
        return queryset


@admin.register(Champion)
class ChampionAdmin(ReadOnlyTenantScopedAdmin):
    """The Champions per category with their votes, tie flags and the
    experts' aggregated ranking; "Confirm as Winner" calls ``winner_confirm``."""

    list_display = [
        "entry_title",
        "category",
        "rank",
        "votes",
        "tie_at_cutoff",
        "expert_points",
        "expert_average_place",
        "is_winner",
    ]
    list_filter = ["tie_at_cutoff", WinnerListFilter, "category__contest"]
    list_select_related = ["entry__tenant", "category__prize_category__action_line", "winner"]
    search_fields = ["entry__title", "entry__reference"]
    fields = ["category", "entry", "rank", "votes", "tie_at_cutoff", "tallied_at"]
    readonly_fields = fields
    actions = ["confirm_winner"]

    def has_confirm_permission(self, request):
        return _is_manager_somewhere(request)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*self.list_select_related)

    def get_changelist_instance(self, request):
        # The experts' aggregate of every category on the page: one query for
        # the rankings, one for the categories' Champions, whatever the page size.
        changelist = super().get_changelist_instance(request)
        page = list(changelist.result_list)
        category_ids = {champion.category_id for champion in page}
        rankings = defaultdict(list)
        for category_id, ranked in ExpertRanking.objects.filter(category_id__in=category_ids).values_list(
            "category_id", "ranked_entries"
        ):
            rankings[category_id].append(ranked)
        by_category = defaultdict(list)
        for champion in Champion.objects.filter(category_id__in=category_ids).select_related(None):
            by_category[champion.category_id].append(champion)
        rows = {}
        for category_id, champions in by_category.items():
            rows.update({row.champion.entry_id: row for row in _aggregate(champions, rankings[category_id])})
        for champion in page:
            champion.ranking_row = rows.get(champion.entry_id)
        return changelist

    @admin.display(description=_("project"), ordering="entry__title")
    def entry_title(self, obj):
        return obj.entry.title

    @admin.display(description=_("experts' points"))
    def expert_points(self, obj):
        row = getattr(obj, "ranking_row", None)
        return row.points if row else 0

    @admin.display(description=_("experts' average place"))
    def expert_average_place(self, obj):
        row = getattr(obj, "ranking_row", None)
        return "–" if row is None or row.average_place is None else f"{row.average_place:.1f}"

    @admin.display(description=_("Winner"), boolean=True)
    def is_winner(self, obj):
        return getattr(obj, "winner", None) is not None

    @admin.action(description=_("Confirm the selected Champion as the Winner of its category"), permissions=["confirm"])
    def confirm_winner(self, request, queryset):
        champions = list(queryset.select_related("entry", "category__contest__edition__tenant"))
        if len({champion.category_id for champion in champions}) != len(champions):
            self.message_user(request, gettext("Select one Champion per category."), messages.ERROR)
            return
        confirmed = 0
        for champion in champions:
            try:
                winner_confirm(category=champion.category, entry=champion.entry, by=request.user)
            except SelectionError as error:
                self.message_user(request, error.message, messages.ERROR)
                continue
            confirmed += 1
        if confirmed:
            message = ngettext("%(count)d Winner confirmed.", "%(count)d Winners confirmed.", confirmed)
            self.message_user(request, message % {"count": confirmed}, messages.SUCCESS)


@admin.register(Winner)
class WinnerAdmin(TenantScopedAdmin):
    """The confirmed Winners; a manager may withdraw one until the results are announced."""

    list_display = ["entry_title", "category", "confirmed_by", "confirmed_at"]
    list_filter = ["category__contest"]
    list_select_related = ["champion__entry", "category__prize_category__action_line", "confirmed_by"]
    fields = ["category", "champion", "confirmed_by", "confirmed_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        if obj is not None and is_announced(contest=obj.category.contest):
            return False
        return super().has_delete_permission(request, obj)

    @admin.display(description=_("project"), ordering="champion__entry__title")
    def entry_title(self, obj):
        return obj.champion.entry.title
