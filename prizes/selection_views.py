"""Selection pages: the experts' ranking of the Champions, the public results
and the Success Stories compilation."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wsis_portal.tenants.rules import is_tenant_staff

from . import selection
from .enums import PHASE_SELECTION
from .models import Champion
from .nomination_views import _contest_or_404


class ChampionRankingForm(forms.Form):
    """A place (1 = best) for each Champion of a category, each place used once."""

    comment = forms.CharField(label=gettext_lazy("Comment (optional)"), required=False, widget=forms.Textarea)

    def __init__(self, *args, champions: list[Champion], **kwargs):
        super().__init__(*args, **kwargs)
        self.champions = champions
        choices = [("", _("Choose a place"))] + [(str(place), str(place)) for place in range(1, len(champions) + 1)]
        for champion in champions:
            self.fields[f"place_{champion.entry_id}"] = forms.TypedChoiceField(
                label=champion.entry.title, choices=choices, coerce=int
            )
        self.order_fields([f"place_{champion.entry_id}" for champion in champions] + ["comment"])

    def clean(self):
        cleaned = super().clean()
        seen: dict[int, str] = {}
        for champion in self.champions:
            name = f"place_{champion.entry_id}"
            place = cleaned.get(name)
            if place is None:
                continue
            if place in seen:
                self.add_error(name, _("Place %(place)d is already given to another project.") % {"place": place})
            else:
                seen[place] = name
        return cleaned

    def ranked_entry_ids(self) -> list[int]:
        places = {champion.entry_id: self.cleaned_data[f"place_{champion.entry_id}"] for champion in self.champions}
        return sorted(places, key=places.get)

    def place_rows(self):
        return [(champion, self[f"place_{champion.entry_id}"]) for champion in self.champions]


def _initial(ranking) -> dict:
    if ranking is None:
        return {}
    initial = {f"place_{entry_id}": place for place, entry_id in enumerate(ranking.ranked_entries, start=1)}
    initial["comment"] = ranking.comment
    return initial


@login_required
def expert_categories(request):
    """The categories the signed-in expert ranks, each with its Champions."""
    contest = _contest_or_404(request, timezone.now())
    categories = selection.categories_for_expert(tenant=request.tenant, user=request.user, contest=contest)
    if not categories:
        raise Http404
    return render(
        request,
        "prizes/selection/expert_categories.html",
        {"contest": contest, "categories": categories, "results": selection.contest_results(contest=contest)},
    )


def _category_url(request, pk: int) -> str:
    return reverse("prizes:expert_category", kwargs={"tenant_slug": request.tenant.slug, "pk": pk})


@login_required
def expert_category(request, pk: int):
    """The category's Champions with their description and votes, and the
    expert's ranking form (saved through ``ranking_record``)."""
    now = timezone.now()
    contest = _contest_or_404(request, now)
    category = selection.category_for_expert(tenant=request.tenant, user=request.user, contest=contest, pk=pk)
    champions = list(
        Champion.objects.filter(category=category).select_related("entry__organisation", "entry__stakeholder_type")
    )
    ranking = category.expert_rankings.filter(expert=request.user).first()
    is_open = selection.selection_is_open(contest=contest, now=now)
    status = 200
    if request.method == "POST":
        form = ChampionRankingForm(request.POST, champions=champions)
        if form.is_valid():
            try:
                selection.ranking_record(
                    category=category,
                    by=request.user,
                    ranked_entry_ids=form.ranked_entry_ids(),
                    comment=form.cleaned_data["comment"],
                    now=now,
                )
            except selection.SelectionError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Your ranking of %(category)s was saved.") % {"category": category})
                return redirect(_category_url(request, category.pk))
        status = 400
    else:
        form = ChampionRankingForm(initial=_initial(ranking), champions=champions)
    return render(
        request,
        "prizes/selection/expert_category.html",
        {
            "contest": contest,
            "category": category,
            "champions": champions,
            "form": form,
            "ranking": ranking,
            "is_open": is_open,
            "phase": selection.contest_phase(contest=contest, key=PHASE_SELECTION),
            "has_tie": any(champion.tie_at_cutoff for champion in champions),
        },
        status=status,
    )


def _public_contest(request):
    """The current contest once its results are announced; staff of the
    tenant may preview it before (the page says so); 404 for everyone else."""
    contest = _contest_or_404(request, timezone.now())
    announced = selection.is_announced(contest=contest)
    if not announced and not (request.user.is_superuser or is_tenant_staff(request.user, request.tenant)):
        raise Http404
    return contest, announced


def results(request):
    """Per category: the Winner, the Champions and their valid votes."""
    contest, announced = _public_contest(request)
    return render(
        request,
        "prizes/selection/results.html",
        {
            "contest": contest,
            "edition": contest.edition,
            "announced": announced,
            "rows": selection.results_by_category(contest=contest),
        },
    )


def success_stories(request):
    """The "WSIS Stocktaking: Success Stories" compilation: one section per Winner, printable."""
    contest, announced = _public_contest(request)
    return render(
        request,
        "prizes/selection/success_stories.html",
        {
            "contest": contest,
            "edition": contest.edition,
            "announced": announced,
            "winners": selection.success_stories(contest=contest),
        },
    )
