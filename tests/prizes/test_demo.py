"""The demo contest: categories, criteria and about 100 entries, idempotent."""

from collections import Counter

import pytest

from prizes.demo import ENTRY_COUNT, seed_prizes_demo
from prizes.models import Contest, ContestCategory, Criterion, PrizeEntry
from prizes.validators import count_words
from tests import factories
from tests.prizes.conftest import make_prizes_edition
from wsis_portal.editions.models import ReferenceCounter


@pytest.fixture
def demo_owners(db):
    owners = []
    for index in range(12):
        organisation = factories.OrganisationFactory(name=f"Demo organisation {index}", country="KE")
        owners.append(factories.UserFactory(email=f"demo-stakeholder-{index:03d}@wsis.demo", organisation=organisation))
    return owners


def test_seed_prizes_demo_creates_contests_and_entries_once(tenant, demo_owners):
    historic = make_prizes_edition(tenant, year=2021)
    current = make_prizes_edition(tenant, year=2027)

    first = seed_prizes_demo(tenant=tenant, editions=[historic, current], history_edition=historic)
    second = seed_prizes_demo(tenant=tenant, editions=[historic, current], history_edition=historic)

    assert first == {"contests": 2, "entries": ENTRY_COUNT, "created": ENTRY_COUNT}
    assert second == {"contests": 2, "entries": ENTRY_COUNT, "created": 0}
    assert Contest.objects.count() == 2
    assert ContestCategory.objects.filter(contest__edition=historic).count() == 19  # 18 + Healthy Ageing Innovation
    assert ContestCategory.objects.filter(contest__edition=current).count() == 18
    assert Criterion.objects.count() == 16


def test_demo_entries_are_valid_and_numbered(tenant, demo_owners):
    historic = make_prizes_edition(tenant, year=2021)
    seed_prizes_demo(tenant=tenant, editions=[historic], history_edition=historic)

    entries = list(PrizeEntry.objects.filter(call__edition=historic).prefetch_related("sdgs"))
    submitted = [entry for entry in entries if entry.submitted_at]
    assert all(150 <= count_words(entry.short_description) <= 200 for entry in entries)
    assert all(entry.missing_for_submission() == [] for entry in entries)
    assert sorted(entry.reference for entry in submitted) == [f"PRZ-2021-{n:05d}" for n in range(1, len(submitted) + 1)]
    assert ReferenceCounter.objects.get(prefix="PRZ", year=2021).last_number == len(submitted)
    pairs = Counter((entry.organisation_id, entry.category_id) for entry in entries)
    assert max(pairs.values()) == 1
    assert {entry.status for entry in entries} == {"submitted", "draft", "withdrawn"}


def test_demo_without_demo_stakeholders_makes_only_contests(tenant):
    historic = make_prizes_edition(tenant, year=2021)
    assert seed_prizes_demo(tenant=tenant, editions=[historic], history_edition=historic) == {
        "contests": 1,
        "entries": 0,
        "created": 0,
    }


def test_seed_demo_command_path_seeds_the_prizes_once(db):
    from django.utils import timezone

    from wsis_portal.editions.demo import seed_demo

    seed_demo(now=timezone.now())
    result = seed_demo(now=timezone.now())

    # A contest per demo edition (the "current" one is 2021 itself on some days of the year).
    assert Contest.objects.count() == len({edition.pk for edition in result["editions"]})
    assert PrizeEntry.objects.filter(call__edition__year=2021).count() == ENTRY_COUNT


# --- moving the demo contest through its phases ------------------------------------------


def _phase_open_now(edition):
    from django.utils import timezone

    from wsis_portal.editions.models import Call

    call = Call.objects.prefetch_related("phases", "extensions").get(edition=edition, kind="prizes")
    phase = call.phase_at(timezone.now())
    return phase.key if phase else None


def test_contest_moves_through_every_phase_once(tenant, demo_owners):
    from django.utils import timezone

    from prizes.demo import contest_move_to_phase
    from prizes.models import Champion, ContestResults, Vote, Winner

    edition = make_prizes_edition(tenant, year=2021)
    contest = seed_prizes_demo(tenant=tenant, editions=[edition], history_edition=edition) and Contest.objects.get()

    seen = []
    for phase in ["submission", "nomination", "voting", "selection", "announcement"]:
        counts = contest_move_to_phase(contest=contest, phase_key=phase, now=timezone.now())
        seen.append((phase, _phase_open_now(edition), counts["nominees"] > 0, counts["votes"] > 0))
        if phase == "selection":
            assert Champion.objects.exists()
            assert ContestResults.objects.get(contest=contest).announced_at is None

    assert [(phase, open_now) for phase, open_now, _n, _v in seen] == [(p, p) for p, *_ in seen]
    assert [nominated for _p, _o, nominated, _v in seen] == [False, False, True, False, False]
    assert [voted for _p, _o, _n, voted in seen] == [False, False, False, True, False]
    results = ContestResults.objects.get(contest=contest)
    assert results.tallied_at is not None and results.announced_at is not None
    categories_with_champions = Champion.objects.values("category").distinct().count()
    assert Winner.objects.count() == categories_with_champions > 0
    votes = Vote.objects.count()

    again = contest_move_to_phase(contest=contest, phase_key="announcement", now=timezone.now())

    assert again == {"entries": 0, "nominees": 0, "votes": 0, "winners": 0, "boundaries": 0}
    assert Vote.objects.count() == votes


def test_prizes_demo_phase_command(tenant, demo_owners):
    from io import StringIO

    import time_machine
    from django.core.management import call_command
    from django.utils import timezone

    edition = make_prizes_edition(tenant, year=2021)
    seed_prizes_demo(tenant=tenant, editions=[edition], history_edition=edition)
    out = StringIO()

    # The edition of the fixtures is the current one on the fixtures' clock.
    with time_machine.travel(timezone.now(), tick=False):
        call_command("prizes_demo_phase", "voting", stdout=out)

    assert "the voting phase is open now" in out.getvalue()
    assert _phase_open_now(edition) == "voting"
