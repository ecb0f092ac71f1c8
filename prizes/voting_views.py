"""Public online voting pages: the categories, a category's nominees with
the vote buttons, the vote itself, "My votes" and the staff dashboard."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import voting, voting_integrity
from .views import _current_contest

SEED_COOKIE = "prizes_voting_seed"
SEED_COOKIE_AGE = 90 * 24 * 3600


def _contest_or_404(request, now):
    edition, contest = _current_contest(request, now)
    if contest is None:
        raise Http404
    return edition, contest


def _phase_state(phase, now) -> str:
    if phase is None or now < phase.opens_at:
        return "upcoming"
    return "open" if now < phase.closes_at else "closed"


def _category_url(request, pk: int) -> str:
    return reverse("prizes:voting_category", kwargs={"tenant_slug": request.tenant.slug, "pk": pk})


def voting_index(request):
    """The categories open to voting, with the visitor's own votes marked."""
    now = timezone.now()
    edition, contest = _contest_or_404(request, now)
    phase = voting.voting_phase(contest=contest)
    state = _phase_state(phase, now)
    categories = voting.categories_open_to_voting(contest=contest) if state != "upcoming" else []
    voted = set()
    if request.user.is_authenticated and categories:
        voted = {vote.category_id for vote in voting.votes_of_voter(user=request.user, contest=contest)}
    return render(
        request,
        "prizes/voting/index.html",
        {
            "edition": edition,
            "contest": contest,
            "phase": phase,
            "state": state,
            "rows": [(category, category.pk in voted) for category in categories],
        },
    )


def voting_category(request, pk: int):
    """A category's nominees in an order of the visitor's own, each with its
    vote button while voting is open. No count is ever shown here."""
    now = timezone.now()
    edition, contest = _contest_or_404(request, now)
    category = voting.category_for_voting(tenant=request.tenant, contest=contest, pk=pk)
    if category is None:
        raise Http404
    phase = voting.voting_phase(contest=contest)
    state = _phase_state(phase, now)
    seed_cookie = request.COOKIES.get(SEED_COOKIE, "")
    new_seed = ""
    if not request.user.is_authenticated and not seed_cookie.isalnum():
        new_seed = seed_cookie = voting.new_anonymous_seed().replace("-", "a").replace("_", "b")
    seed = voting.voter_seed(user=request.user, anonymous_seed=seed_cookie)
    entries = voting.nominees_for_voter(category=category, seed=seed) if state != "upcoming" else []
    vote = confirmed = None
    if request.user.is_authenticated:
        vote = voting.existing_vote(category=category, voter=request.user)
        confirmed = vote is not None or voting.is_confirmed(request.user)
    response = render(
        request,
        "prizes/voting/category.html",
        {
            "edition": edition,
            "contest": contest,
            "category": category,
            "phase": phase,
            "state": state,
            "entries": entries,
            "vote": vote,
            "confirmed": confirmed,
            "login_url": f"{reverse('account_login')}?{urlencode({'next': request.path})}",
        },
    )
    if new_seed:
        response.set_cookie(SEED_COOKIE, new_seed, max_age=SEED_COOKIE_AGE, httponly=True, samesite="Lax")
    return response


@require_POST
def vote(request, pk: int):
    """Cast the signed-in voter's vote (POST field ``entry``) through
    ``voting.vote_cast`` and come back to the category's page."""
    category_url = _category_url(request, pk)
    if not request.user.is_authenticated:
        return redirect(f"{reverse('account_login')}?{urlencode({'next': category_url})}")
    now = timezone.now()
    counts = voting_integrity.vote_request_count(
        user_id=request.user.pk, address=voting_integrity.client_address(request), now=now
    )
    if counts.limited:
        return render(request, "prizes/voting/rate_limited.html", {"category_url": category_url}, status=429)
    entry = request.POST.get("entry", "")
    if not entry.isdigit():
        messages.error(request, _("Choose the project you vote for."))
        return redirect(category_url)
    try:
        voting.vote_cast(
            category_id=pk,
            tenant_id=request.tenant.pk,
            entry_id=int(entry),
            voter=request.user,
            signals=voting_integrity.signals_for(request, user=request.user, now=now, counts=counts),
            now=now,
        )
    except voting.VotingError as error:
        if error.code == voting.VotingError.NO_CATEGORY:
            raise Http404 from error
        level = messages.WARNING if error.code == voting.VotingError.ALREADY_VOTED else messages.ERROR
        messages.add_message(request, level, error.message)
        return HttpResponseRedirect(category_url)
    # The same words whether the vote is valid or quarantined.
    messages.success(request, _("Thank you: your vote is recorded."))
    return HttpResponseRedirect(f"{category_url}#your-vote")


@login_required
def my_votes(request):
    """The signed-in voter's votes in the current contest."""
    now = timezone.now()
    edition, contest = _contest_or_404(request, now)
    phase = voting.voting_phase(contest=contest)
    return render(
        request,
        "prizes/voting/my_votes.html",
        {
            "edition": edition,
            "contest": contest,
            "state": _phase_state(phase, now),
            "votes": voting.votes_of_voter(user=request.user, contest=contest),
        },
    )


# --- the staff dashboard ------------------------------------------------------------

CHART_HEIGHT = 160  # pixels for the tallest day
COLUMN_WIDTH = 28
COLUMN_GAP = 8
LABEL_SPACE = 34
STATUS_COLOURS = {"valid": "#0b5ed7", "quarantined": "#a35200", "voided": "#6c757d"}


@dataclass(frozen=True)
class Segment:
    status: str
    y: int
    height: int
    colour: str


@dataclass(frozen=True)
class Column:
    x: int
    label: str  # day of month
    total: int
    y_total: int
    segments: list[Segment]


@dataclass(frozen=True)
class DayChart:
    columns: list[Column]
    width: int
    height: int
    baseline: int


def chart_for(series: voting.CategorySeries) -> DayChart:
    """Stacked columns per day: valid at the bottom, then quarantined, then voided."""
    largest = max((day.total for day in series.days), default=0) or 1
    columns = []
    for index, day in enumerate(series.days):
        x = index * (COLUMN_WIDTH + COLUMN_GAP) + COLUMN_GAP
        top = CHART_HEIGHT + 16
        segments = []
        for status in ("valid", "quarantined", "voided"):
            count = getattr(day, status)
            height = round(CHART_HEIGHT * count / largest)
            if height:
                top -= height
                segments.append(Segment(status, top, height, STATUS_COLOURS[status]))
        columns.append(
            Column(x=x, label=day.day.strftime("%d.%m"), total=day.total, y_total=top - 4, segments=segments)
        )
    width = max(len(columns), 1) * (COLUMN_WIDTH + COLUMN_GAP) + COLUMN_GAP
    return DayChart(columns=columns, width=width, height=CHART_HEIGHT + 16 + LABEL_SPACE, baseline=CHART_HEIGHT + 16)


@login_required
def voting_dashboard(request):
    """Votes per day and category by status, for the tenant's managers."""
    if not request.user.has_perm("tenants.manage_tenant", request.tenant):
        raise Http404
    now = timezone.now()
    edition, contest = _contest_or_404(request, now)
    series = voting.votes_per_day(contest=contest, zone=edition.zone)
    return render(
        request,
        "prizes/voting/dashboard.html",
        {
            "edition": edition,
            "contest": contest,
            "state": _phase_state(voting.voting_phase(contest=contest), now),
            "charts": [(item, chart_for(item)) for item in series],
            "colours": STATUS_COLOURS,
        },
    )
