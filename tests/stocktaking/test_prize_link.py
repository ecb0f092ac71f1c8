"""From a published stocktaking entry to a prize entry prefilled from it,
while the tenant's WSIS Prizes take submissions."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from prizes.models import PrizeEntry
from prizes.services import contest_ensure
from stocktaking import services
from tests import factories
from tests.prizes.conftest import DEADLINE, NOW, make_prizes_edition
from wsis_portal.reference.models import StakeholderType, SustainableDevelopmentGoal

pytestmark = pytest.mark.django_db


@pytest.fixture
def contest(tenant):
    return contest_ensure(edition=make_prizes_edition(tenant))


@pytest.fixture
def author(stakeholder):
    stakeholder.stakeholder_type = StakeholderType.objects.get(slug="civil-society")
    stakeholder.save()
    assert stakeholder.profile_is_complete
    return stakeholder


@pytest.fixture
def entry(make_entry, author, manager):
    goal = SustainableDevelopmentGoal.objects.get(number=4)
    draft = make_entry(
        title="Digital schools for rural Kenya",
        owner=author,
        sdgs=[goal],
        partners="ITU\nUNESCO",
        website="https://example.org/schools",
    )
    services.entry_submit(entry=draft, by=author)
    return services.entry_publish(entry=draft, by=manager)


def _detail(tenant, entry):
    return reverse("stocktaking:detail", kwargs={"tenant_slug": tenant.slug, "pk": entry.pk})


def _enter(tenant, entry):
    return reverse("stocktaking:prize-enter", kwargs={"tenant_slug": tenant.slug, "pk": entry.pk})


def test_owner_sees_the_button_while_the_prizes_take_submissions(client, tenant, contest, entry, author):
    client.force_login(author)

    with time_machine.travel(NOW, tick=False):
        response = client.get(_detail(tenant, entry))

    assert "Enter this project for the WSIS Prizes" in response.content.decode()
    assert response.context["prize_contest"] == contest


def test_no_button_for_a_visitor_or_after_the_deadline(client, tenant, contest, entry, author):
    with time_machine.travel(NOW, tick=False):
        anonymous = client.get(_detail(tenant, entry))
    client.force_login(author)
    with time_machine.travel(DEADLINE, tick=False):
        closed = client.get(_detail(tenant, entry))

    assert "Enter this project for the WSIS Prizes" not in anonymous.content.decode()
    assert "Enter this project for the WSIS Prizes" not in closed.content.decode()


def test_entering_starts_a_prefilled_prize_entry_and_opens_its_first_step(client, tenant, contest, entry, author):
    client.force_login(author)

    with time_machine.travel(NOW, tick=False):
        response = client.post(_enter(tenant, entry))

    prize_entry = PrizeEntry.objects.get()
    assert response.status_code == 302
    assert response.url == reverse(
        "prizes:step", kwargs={"tenant_slug": tenant.slug, "pk": prize_entry.pk, "step": "basics"}
    )
    assert (prize_entry.title, prize_entry.full_description, prize_entry.partnerships) == (
        "Digital schools for rural Kenya",
        "Connecting rural schools to broadband.",
        "ITU\nUNESCO",
    )
    assert (prize_entry.country, prize_entry.website, prize_entry.owner) == (
        "KE",
        "https://example.org/schools",
        author,
    )
    assert list(prize_entry.sdgs.values_list("number", flat=True)) == [4]


def test_entering_after_the_deadline_is_refused_with_a_message(client, tenant, contest, entry, author):
    client.force_login(author)

    with time_machine.travel(DEADLINE, tick=False):
        response = client.post(_enter(tenant, entry), follow=True)

    assert PrizeEntry.objects.count() == 0
    assert response.redirect_chain == [(_detail(tenant, entry), 302)]
    assert "The WSIS Prizes do not take submissions at the moment." in response.content.decode()


def test_entering_anothers_or_another_tenants_entry_answers_404(client, tenant, other_tenant, contest, entry):
    client.force_login(factories.UserFactory())

    with time_machine.travel(NOW, tick=False):
        assert client.post(_enter(tenant, entry)).status_code == 404
        client.force_login(entry.owner)
        assert client.post(_enter(other_tenant, entry)).status_code == 404
    assert PrizeEntry.objects.count() == 0


def test_entering_needs_a_complete_profile(client, tenant, contest, entry, author):
    author.stakeholder_type = None
    author.save()
    client.force_login(author)

    with time_machine.travel(NOW - dt.timedelta(days=1), tick=False):
        response = client.post(_enter(tenant, entry))

    assert response.url == reverse("accounts:profile")
    assert PrizeEntry.objects.count() == 0
