"""The phase engine: every boundary's side effects run once, missed ticks are caught up."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from tests import factories
from tests.sampleapp.models import BoundaryLog
from wsis_portal.editions.engine import due_boundaries, run_due_boundaries
from wsis_portal.editions.models import PhaseEvent

NOW = dt.datetime(2030, 3, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def sample_phase(tenant):
    call = factories.CallFactory(edition=factories.EditionFactory(tenant=tenant))
    return factories.PhaseFactory(
        call=call, key="sample-boundary", opens_at=NOW - dt.timedelta(hours=1), closes_at=NOW + dt.timedelta(hours=1)
    )


def test_tick_runs_each_boundary_once_although_run_many_times(sample_phase):
    with time_machine.travel(NOW, tick=False):
        assert run_due_boundaries() == 1
        assert run_due_boundaries() == 0
    with time_machine.travel(NOW + dt.timedelta(hours=2), tick=False):
        assert run_due_boundaries() == 1
        assert run_due_boundaries() == 0
    assert sorted(BoundaryLog.objects.values_list("event", flat=True)) == ["closed", "opened"]
    assert sorted(PhaseEvent.objects.values_list("kind", flat=True)) == ["closed", "opened"]


def test_tick_catches_up_missed_boundaries_in_order(sample_phase):
    # No tick ran while the phase opened and closed: the next one does both, oldest first.
    with time_machine.travel(NOW + dt.timedelta(days=3), tick=False):
        assert [(event, at) for _, event, at in due_boundaries(now=timezone.now())] == [
            ("opened", sample_phase.opens_at),
            ("closed", sample_phase.closes_at),
        ]
        assert run_due_boundaries() == 2
    assert list(BoundaryLog.objects.order_by("id").values_list("event", flat=True)) == ["opened", "closed"]


def test_boundary_before_its_time_does_not_run(sample_phase):
    with time_machine.travel(sample_phase.closes_at - dt.timedelta(seconds=1), tick=False):
        run_due_boundaries()
    assert list(BoundaryLog.objects.values_list("event", flat=True)) == ["opened"]


def test_closing_follows_whole_call_extension(sample_phase):
    factories.DeadlineExtensionFactory(call=sample_phase.call, closes_at=sample_phase.closes_at + dt.timedelta(days=1))
    with time_machine.travel(sample_phase.closes_at + dt.timedelta(hours=1), tick=False):
        run_due_boundaries()
    assert list(BoundaryLog.objects.values_list("event", flat=True)) == ["opened"]
    with time_machine.travel(sample_phase.closes_at + dt.timedelta(days=1), tick=False):
        run_due_boundaries()
    assert sorted(BoundaryLog.objects.values_list("event", flat=True)) == ["closed", "opened"]


def test_organisation_extension_does_not_move_the_closing_boundary(sample_phase):
    factories.DeadlineExtensionFactory(
        call=sample_phase.call, organisation=factories.OrganisationFactory(), closes_at=NOW + dt.timedelta(days=5)
    )
    with time_machine.travel(sample_phase.closes_at, tick=False):
        run_due_boundaries()
    assert sorted(BoundaryLog.objects.values_list("event", flat=True)) == ["closed", "opened"]


def test_failing_side_effect_is_retried_and_does_not_block_others(tenant, sample_phase):
    failing = factories.PhaseFactory(
        call=factories.CallFactory(edition=sample_phase.call.edition, kind="prizes"),
        key="sample-failing",
        opens_at=NOW - dt.timedelta(hours=2),
        closes_at=NOW - dt.timedelta(hours=1),
    )
    with time_machine.travel(NOW, tick=False):
        # The failing phase's "opened" has no handler and runs; its "closed" fails and is rolled back.
        assert run_due_boundaries() == 2
        assert run_due_boundaries() == 0
    assert list(PhaseEvent.objects.filter(phase=failing).values_list("kind", flat=True)) == ["opened"]
    assert list(BoundaryLog.objects.values_list("event", flat=True)) == ["opened"]
