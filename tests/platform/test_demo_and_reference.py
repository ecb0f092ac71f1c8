"""Reference data from the migration; the demo seed is idempotent and opens calls today."""

import datetime as dt

from django.core.management import call_command
from django.utils import timezone

from wsis_portal.accounts.models import User
from wsis_portal.editions.models import Call, Edition, Meeting, Phase, PhaseEvent
from wsis_portal.reference.loader import load_reference_data
from wsis_portal.reference.models import (
    ActionLine,
    PartnershipTier,
    PrizeCategory,
    Region,
    SessionFormat,
    SpecialTrack,
    StakeholderType,
    SustainableDevelopmentGoal,
)
from wsis_portal.tenants.models import Membership, Tenant


def test_reference_data_is_loaded_by_the_migration(db):
    assert ActionLine.objects.filter(parent=None).count() == 11
    assert list(ActionLine.objects.get(code="C7").sub_lines.values_list("code", flat=True)) == [
        "C7.e-government",
        "C7.e-business",
        "C7.e-learning",
        "C7.e-health",
        "C7.e-employment",
        "C7.e-environment",
        "C7.e-agriculture",
        "C7.e-science",
    ]
    assert SustainableDevelopmentGoal.objects.count() == 17
    assert PrizeCategory.objects.count() == 18
    assert str(PrizeCategory.objects.get(number=10)) == ("Category 10 - C7.e-health E-health")
    assert StakeholderType.objects.count() == 8
    assert list(Region.objects.values_list("name", flat=True)) == [
        "Africa",
        "Americas",
        "Arab States",
        "Asia and the Pacific",
        "CIS",
        "Europe",
    ]
    assert len(Region.objects.get(name="CIS").countries) == 10
    assert SpecialTrack.objects.count() == 9
    assert SessionFormat.objects.count() == 9
    assert PartnershipTier.objects.get(position=1).exclusive is True


def test_reference_loader_runs_again_without_duplicates(db):
    from django.apps import apps

    load_reference_data(apps.get_model)
    assert ActionLine.objects.count() == 19
    assert StakeholderType.objects.count() == 8


def test_seed_demo_twice_creates_everything_once(db, capsys):
    call_command("seed_demo")
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "manager@wsis.demo" in out
    assert Tenant.objects.count() == 1
    assert Edition.objects.count() == 2
    assert Call.objects.count() == 18
    assert Meeting.objects.count() == 4
    logins = User.objects.filter(email__endswith="@wsis.demo").exclude(email__startswith="demo-stakeholder-")
    assert logins.count() == 6
    # The OCP demo's stakeholders, once each.
    assert User.objects.filter(email__startswith="demo-stakeholder-").count() == 120
    assert sorted(Membership.objects.values_list("role", flat=True)) == ["expert", "manager", "reviewer", "viewer"]


def test_seed_demo_has_2021_dates_and_a_current_edition_with_open_calls(db):
    call_command("seed_demo")
    prizes_2021 = Phase.objects.get(call__edition__year=2021, call__kind="prizes", key="submission")
    assert prizes_2021.closes_at == dt.datetime(2021, 1, 25, 22, 0, tzinfo=dt.UTC)
    current = Edition.objects.exclude(year=2021).get()
    now = timezone.now()
    open_kinds = [call.kind for call in current.calls.all() if call.accepts_submissions_at(now)]
    assert "prizes" in open_kinds and "workshop" in open_kinds
    # Seeded history counts as done: nothing that passed before the seed replays on the first tick.
    assert (
        PhaseEvent.objects.filter(phase__call__edition__year=2021).count()
        == Phase.objects.filter(call__edition__year=2021).count() * 2
    )
