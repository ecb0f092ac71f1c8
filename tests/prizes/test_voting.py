"""Public online voting: the vote and its refusals, the window to the second,
rate limits, quarantine rules, the staff review, the pages and their query
counts, and the login by emailed code.

The clock stands in the voting phase (1-31 March 2021, Geneva) unless a test
moves it."""

import datetime as dt
import re
import secrets
import uuid

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.contrib.messages import get_messages
from django.core import mail
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from prizes import voting, voting_integrity
from prizes.enums import VoteStatus
from prizes.models import Vote
from tests import factories
from tests.prizes.conftest import GENEVA, make_prizes_edition
from tests.prizes.factories import WORDS_170, PrizeEntryFactory

VOTING_NOW = dt.datetime(2021, 3, 10, 12, 0, tzinfo=GENEVA)
VOTING_CLOSES = dt.datetime(2021, 3, 31, 23, 0, tzinfo=GENEVA)
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"


@pytest.fixture(autouse=True)
def _voting_clock(_frozen_clock):
    with time_machine.travel(VOTING_NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def _own_cache_keys(settings):
    """Rate-limit and address counters of this test only (Redis is shared)."""
    settings.CACHES = {
        name: {**config, "KEY_PREFIX": f"test-voting-{uuid.uuid4().hex}"} for name, config in settings.CACHES.items()
    }


def make_nominees(call, category, count, *, start=0):
    nominees = []
    for index in range(start, start + count):
        organisation = factories.OrganisationFactory(name=f"Organisation {index}-{category.pk}", country="KE")
        owner = factories.UserFactory(email=f"nominee{index}-{category.pk}@example.org", organisation=organisation)
        nominees.append(
            PrizeEntryFactory(
                call=call,
                category=category,
                owner=owner,
                title=f"Project {index}",
                short_description=WORDS_170,
                country="KE",
                status="submitted",
                reference=f"PRZ-2021-{category.pk:02d}{index:03d}",
                nominated_at=dt.datetime(2021, 2, 20, tzinfo=GENEVA),
            )
        )
    return nominees


def make_voter(email="voter@example.org", *, days_old=30, verified=True):
    user = factories.UserFactory(email=email, verified=verified)
    user.date_joined = VOTING_NOW - dt.timedelta(days=days_old)
    user.save(update_fields=["date_joined"])
    return user


@pytest.fixture
def category(categories):
    return categories[0]


@pytest.fixture
def nominees(call, category):
    return make_nominees(call, category, 3)


@pytest.fixture
def voter(db):
    return make_voter()


def vote_url(category, slug="wsis"):
    return reverse("prizes:vote", kwargs={"tenant_slug": slug, "pk": category.pk})


def category_url(category, slug="wsis"):
    return reverse("prizes:voting_category", kwargs={"tenant_slug": slug, "pk": category.pk})


def messages_of(response):
    """The messages this request added (earlier ones wait in the cookie)."""
    storage = get_messages(response.wsgi_request)
    return [str(message) for message in storage._queued_messages]


def cast(client, category, entry, **extra):
    extra.setdefault("HTTP_USER_AGENT", BROWSER)
    return client.post(vote_url(category), {"entry": entry.pk}, **extra)


def signals(**values):
    values.setdefault("user_agent", BROWSER)
    values.setdefault("account_age_seconds", 30 * 86400)
    return voting_integrity.VoteSignals(**values)


# --- the vote ------------------------------------------------------------------------


def test_vote_is_stored_valid_with_its_signals(client, voter, category, nominees):
    client.force_login(voter)

    response = cast(client, category, nominees[1], REMOTE_ADDR="203.0.113.7")

    assert response.status_code == 302
    assert response["Location"] == f"{category_url(category)}#your-vote"
    assert messages_of(response) == ["Thank you: your vote is recorded."]
    vote = Vote.objects.get()
    assert (vote.category, vote.entry, vote.voter, vote.status, vote.reasons) == (
        category,
        nominees[1],
        voter,
        VoteStatus.VALID,
        [],
    )
    assert vote.cast_at == VOTING_NOW
    assert (vote.ip_address, vote.user_agent, vote.account_age_seconds) == ("203.0.113.7", BROWSER, 30 * 86400)
    assert list(Vote.objects.valid()) == [vote]


def test_vote_records_the_time_since_the_email_was_confirmed(client, voter, category, nominees):
    voter.email_confirmed_at = VOTING_NOW - dt.timedelta(seconds=90)
    voter.save(update_fields=["email_confirmed_at"])
    client.force_login(voter)

    cast(client, category, nominees[0])

    assert Vote.objects.get().seconds_since_email_confirmed == 90


def test_vote_post_costs_three_queries(client, voter, call, categories, nominees):
    other = make_nominees(call, categories[1], 1, start=50)[0]
    client.force_login(voter)
    client.get(category_url(categories[0]))  # the session is in the cache, as after any page
    cast(client, categories[0], nominees[0])  # prepares the vote's statement (PostgreSQL)

    with CaptureQueriesContext(connection) as queries:
        response = cast(client, categories[1], other)

    assert response.status_code == 302
    assert Vote.objects.filter(voter=voter).count() == 2
    # The user, the tenant (kept per process in production, not in tests) and
    # the vote: one prepared statement on PostgreSQL, the checks and the insert elsewhere.
    expected = 3 if connection.vendor == "postgresql" else 4
    assert len(queries) == expected, [query["sql"] for query in queries]


def test_vote_one_second_before_the_close_counts(client, voter, category, nominees):
    client.force_login(voter)
    with time_machine.travel(VOTING_CLOSES - dt.timedelta(seconds=1), tick=False):
        response = cast(client, category, nominees[0])

    assert messages_of(response) == ["Thank you: your vote is recorded."]
    assert Vote.objects.valid().count() == 1


def test_vote_at_the_close_is_refused(client, voter, category, nominees):
    client.force_login(voter)
    with time_machine.travel(VOTING_CLOSES, tick=False):
        response = cast(client, category, nominees[0])

    assert messages_of(response) == ["Voting is not open: votes are accepted during the voting phase only."]
    assert Vote.objects.count() == 0


def test_vote_before_the_opening_is_refused(voter, category, nominees):
    with pytest.raises(voting.VotingError) as refused:
        voting.vote_cast(
            category_id=category.pk,
            entry_id=nominees[0].pk,
            voter=voter,
            signals=signals(),
            now=dt.datetime(2021, 3, 1, tzinfo=GENEVA) - dt.timedelta(seconds=1),
        )
    assert refused.value.code == voting.VotingError.CLOSED


def test_vote_for_a_withdrawn_nominee_is_refused(client, voter, category, nominees):
    nominees[0].status = "withdrawn"
    nominees[0].save()
    client.force_login(voter)

    response = cast(client, category, nominees[0])

    assert messages_of(response) == ["This project was withdrawn: it can no longer receive votes."]
    assert Vote.objects.count() == 0


def test_vote_for_an_entry_not_nominated_is_refused(client, voter, call, category, nominees):
    plain = PrizeEntryFactory(call=call, category=category, status="submitted", title="Not nominated")
    client.force_login(voter)

    response = cast(client, category, plain)

    assert messages_of(response) == ["This project is not a nominee of this category."]
    assert Vote.objects.count() == 0


def test_vote_for_a_nominee_of_another_category_is_refused(client, voter, call, categories, nominees):
    other = make_nominees(call, categories[1], 1, start=50)[0]
    client.force_login(voter)

    response = cast(client, categories[0], other)

    assert messages_of(response) == ["This project is not a nominee of this category."]
    assert Vote.objects.count() == 0


def test_unconfirmed_voter_is_refused_and_told_how_to_confirm(client, category, nominees):
    unconfirmed = make_voter("new@example.org", verified=False)
    client.force_login(unconfirmed)

    response = cast(client, category, nominees[0])

    assert messages_of(response) == ["Please confirm your email address before you vote."]
    assert Vote.objects.count() == 0
    page = client.get(category_url(category))
    assert reverse("account_email") in page.content.decode()
    assert "Vote for Project 0" not in page.content.decode()


def test_second_vote_is_refused_and_page_shows_the_first(client, voter, category, nominees):
    client.force_login(voter)
    cast(client, category, nominees[0])

    response = cast(client, category, nominees[1])

    assert messages_of(response) == ["You have already voted in this category."]
    assert list(Vote.objects.values_list("entry_id", flat=True)) == [nominees[0].pk]
    page = client.get(category_url(category)).content.decode()
    assert "You voted for <strong>Project 0</strong> in this category." in page
    assert "Vote for Project" not in page


def test_second_vote_service_reports_the_existing_vote(voter, category, nominees):
    first = voting.vote_cast(category_id=category.pk, entry_id=nominees[0].pk, voter=voter, signals=signals())

    with pytest.raises(voting.VotingError) as refused:
        voting.vote_cast(category_id=category.pk, entry_id=nominees[0].pk, voter=voter, signals=signals())

    assert refused.value.code == voting.VotingError.ALREADY_VOTED
    assert refused.value.vote.pk == first.pk


def test_one_vote_in_each_category(client, voter, call, categories, nominees):
    other = make_nominees(call, categories[1], 1, start=50)[0]
    client.force_login(voter)

    cast(client, categories[0], nominees[0])
    cast(client, categories[1], other)

    assert Vote.objects.filter(voter=voter).count() == 2


def test_vote_in_another_tenants_category_answers_404(client, voter, other_tenant):
    edition = make_prizes_edition(other_tenant)
    from prizes.services import contest_ensure

    foreign = contest_ensure(edition=edition).categories.first()
    foreign_entry = make_nominees(edition.calls.get(), foreign, 1, start=90)[0]
    client.force_login(voter)

    assert cast(client, foreign, foreign_entry).status_code == 404
    assert client.get(category_url(foreign)).status_code == 404
    assert Vote.objects.count() == 0


def test_anonymous_vote_goes_to_login(client, category, nominees):
    response = cast(client, category, nominees[0])

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert Vote.objects.count() == 0


def test_vote_without_csrf_token_is_refused(voter, category, nominees):
    client = Client(enforce_csrf_checks=True)
    client.force_login(voter)

    assert cast(client, category, nominees[0]).status_code == 403
    assert Vote.objects.count() == 0


def test_vote_without_entry_asks_to_choose(client, voter, category, nominees):
    client.force_login(voter)

    response = client.post(vote_url(category), {"entry": "x"})

    assert messages_of(response) == ["Choose the project you vote for."]


# --- rate limits -----------------------------------------------------------------------


def test_rate_limit_per_account_answers_429(client, voter, settings, category, nominees):
    settings.PRIZES_VOTE_RATE_ACCOUNT = "2/h"
    client.force_login(voter)
    cast(client, category, nominees[0])
    cast(client, category, nominees[0])

    response = cast(client, category, nominees[0])

    assert response.status_code == 429
    assert "Too many requests" in response.content.decode()


def test_rate_limit_per_address_answers_429(client, settings, category, nominees):
    settings.PRIZES_VOTE_RATE_ADDRESS = "2/m"
    for index in range(2):
        client.force_login(make_voter(f"office{index}@example.org"))
        assert cast(client, category, nominees[0], REMOTE_ADDR="198.51.100.9").status_code == 302
    client.force_login(make_voter("office3@example.org"))

    assert cast(client, category, nominees[0], REMOTE_ADDR="198.51.100.9").status_code == 429
    assert cast(client, category, nominees[0], REMOTE_ADDR="198.51.100.10").status_code == 302


def test_client_address_trusts_only_the_configured_proxies(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5")
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 0}
    assert voting_integrity.client_address(request) == "10.0.0.1"
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    assert voting_integrity.client_address(request) == "203.0.113.5"
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 2}
    assert voting_integrity.client_address(request) == "6.6.6.6"


# --- quarantine ---------------------------------------------------------------------------


def test_quarantine_rule_new_account(client, settings, category, nominees):
    settings.PRIZES_VOTE_NEW_ACCOUNT_HOURS = 2
    newcomer = make_voter("newcomer@example.org", days_old=0)
    newcomer.date_joined = VOTING_NOW - dt.timedelta(minutes=30)
    newcomer.save(update_fields=["date_joined"])
    client.force_login(newcomer)

    response = cast(client, category, nominees[0])

    assert messages_of(response) == ["Thank you: your vote is recorded."]  # the same words as a valid vote
    vote = Vote.objects.get()
    assert (vote.status, vote.reasons, vote.account_age_seconds) == (VoteStatus.QUARANTINED, ["new_account"], 1800)
    assert Vote.objects.valid().count() == 0


def test_quarantine_rule_busy_address(client, settings, category, nominees):
    settings.PRIZES_VOTE_MAX_PER_ADDRESS_HOUR = 2
    statuses = []
    for index in range(3):
        client.force_login(make_voter(f"same-address{index}@example.org"))
        cast(client, category, nominees[0], REMOTE_ADDR="192.0.2.44")
        statuses.append(Vote.objects.get(voter__email=f"same-address{index}@example.org").status)

    assert statuses == [VoteStatus.VALID, VoteStatus.VALID, VoteStatus.QUARANTINED]
    assert Vote.objects.get(status=VoteStatus.QUARANTINED).reasons == ["busy_address"]


@pytest.mark.parametrize("agent", ["", "Mozilla/5.0 HeadlessChrome/131.0", "python-requests/2.32"])
def test_quarantine_rule_headless_agent(client, voter, category, nominees, agent):
    client.force_login(voter)

    cast(client, category, nominees[0], HTTP_USER_AGENT=agent)

    assert Vote.objects.get().reasons == ["headless_agent"]
    assert Vote.objects.get().status == VoteStatus.QUARANTINED


def test_quarantine_rules_registry_names_every_reason():
    assert [(rule.code, str(rule.label)) for rule in voting_integrity.QUARANTINE_RULES] == [
        ("new_account", "Account created shortly before voting"),
        ("busy_address", "Many votes from one address within an hour"),
        ("headless_agent", "Empty or automated user agent"),
    ]
    tripped = voting_integrity.quarantine_reasons(voting_integrity.VoteSignals(user_agent="", account_age_seconds=10))
    assert [reason.code for reason in tripped] == ["new_account", "headless_agent"]


# --- staff review -----------------------------------------------------------------------


@pytest.fixture
def quarantined(category, nominees):
    votes = []
    for index in range(2):
        votes.append(
            voting.vote_cast(
                category_id=category.pk,
                entry_id=nominees[0].pk,
                voter=make_voter(f"suspect{index}@example.org"),
                signals=signals(user_agent=""),
            )
        )
    assert {vote.status for vote in votes} == {VoteStatus.QUARANTINED}
    return votes


def test_release_service_makes_quarantined_votes_valid(quarantined, manager):
    changed = voting.votes_release(votes=quarantined[:1], by=manager)

    assert changed == 1
    released = Vote.objects.get(pk=quarantined[0].pk)
    assert (released.status, released.reviewed_by, released.reviewed_at) == (VoteStatus.VALID, manager, VOTING_NOW)
    assert Vote.objects.get(pk=quarantined[1].pk).status == VoteStatus.QUARANTINED
    assert voting.votes_release(votes=quarantined[:1], by=manager) == 0  # already valid: nothing to do


def test_void_service_keeps_the_vote_and_stops_it_counting(quarantined, manager):
    assert voting.votes_void(votes=quarantined, by=manager) == 2

    assert Vote.objects.filter(status=VoteStatus.VOIDED).count() == 2
    assert Vote.objects.valid().count() == 0
    assert voting.votes_release(votes=quarantined, by=manager) == 0  # a voided vote is not released


CHANGELIST = "admin:prizes_vote_changelist"


def test_admin_lists_quarantine_with_reasons_and_filters(admin_client_for, manager, quarantined):
    client = admin_client_for(manager)

    response = client.get(reverse(CHANGELIST), {"status__exact": "quarantined", "reason": "headless_agent"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Empty or automated user agent" in page
    assert response.context["cl"].result_count == 2
    assert reverse("prizes:voting_dashboard", kwargs={"tenant_slug": "wsis"}) in page
    assert client.get(reverse(CHANGELIST), {"q": "suspect1@example.org"}).context["cl"].result_count == 1
    assert client.get(reverse(CHANGELIST), {"reason": "new_account"}).context["cl"].result_count == 0


def test_admin_release_and_void_actions(admin_client_for, manager, quarantined):
    client = admin_client_for(manager)

    client.post(reverse(CHANGELIST), {"action": "release", "_selected_action": [quarantined[0].pk]})
    client.post(reverse(CHANGELIST), {"action": "void", "_selected_action": [quarantined[1].pk]})

    assert Vote.objects.get(pk=quarantined[0].pk).status == VoteStatus.VALID
    voided = Vote.objects.get(pk=quarantined[1].pk)
    assert (voided.status, voided.reviewed_by) == (VoteStatus.VOIDED, manager)


def test_admin_of_another_tenant_sees_and_reviews_nothing(admin_client_for, other_manager, quarantined):
    client = admin_client_for(other_manager)

    assert client.get(reverse(CHANGELIST)).context["cl"].result_count == 0
    client.post(reverse(CHANGELIST), {"action": "release", "_selected_action": [quarantined[0].pk]})
    assert Vote.objects.get(pk=quarantined[0].pk).status == VoteStatus.QUARANTINED
    assert client.get(reverse("admin:prizes_vote_change", args=[quarantined[0].pk])).status_code == 404


# --- pages -------------------------------------------------------------------------------


def test_voting_index_lists_categories_with_nominees(client, voter, category, nominees, categories):
    client.force_login(voter)
    cast(client, category, nominees[0])

    page = client.get(reverse("prizes:voting", kwargs={"tenant_slug": "wsis"})).content.decode()

    assert category_url(category) in page
    assert category_url(categories[1]) not in page  # no nominees there
    assert "you voted" in page


def _without_tokens(page):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)


def test_category_page_shows_nominees_and_never_counts(client, voter, category, nominees):
    client.force_login(voter)
    before = client.get(category_url(category)).content.decode()
    for index in range(3):
        voting.vote_cast(
            category_id=category.pk,
            entry_id=nominees[0].pk,
            voter=make_voter(f"fan{index}@example.org"),
            signals=signals(),
        )

    page = client.get(category_url(category)).content.decode()

    for entry in nominees:
        assert f"Vote for {entry.title}" in page
    assert "Organisation 0" in page
    assert "Kenya" in page
    assert WORDS_170 in page
    # Others' votes change nothing on the page: no count, no ranking.
    assert _without_tokens(page) == _without_tokens(before)


def _order(page, nominees):
    return sorted(nominees, key=lambda entry: page.index(f'id="entry-{entry.pk}"'))


def test_nominees_are_shuffled_per_voter_and_stable(client, category, call):
    many = make_nominees(call, category, 12)
    first, second = make_voter("first@example.org"), make_voter("second@example.org")
    client.force_login(first)
    order_first = _order(client.get(category_url(category)).content.decode(), many)
    assert _order(client.get(category_url(category)).content.decode(), many) == order_first
    client.force_login(second)
    order_second = _order(client.get(category_url(category)).content.decode(), many)

    assert order_first != order_second
    assert sorted(entry.pk for entry in order_first) == sorted(entry.pk for entry in many)


def test_anonymous_visitor_gets_a_stable_order_by_cookie(client, category, call):
    many = make_nominees(call, category, 12)

    response = client.get(category_url(category))
    assert "prizes_voting_seed" in response.cookies
    again = client.get(category_url(category))

    assert _order(again.content.decode(), many) == _order(response.content.decode(), many)
    assert "Log in to vote" in response.content.decode()


def test_category_page_before_the_voting_phase_lists_nothing(client, category, nominees):
    with time_machine.travel(dt.datetime(2021, 2, 25, tzinfo=GENEVA), tick=False):
        page = client.get(category_url(category)).content.decode()

    assert "Voting opens on" in page
    assert "Project 0" not in page


def test_my_votes_lists_the_voters_votes(client, voter, category, nominees):
    client.force_login(voter)
    cast(client, category, nominees[2])

    page = client.get(reverse("prizes:my_votes", kwargs={"tenant_slug": "wsis"})).content.decode()

    assert "Project 2" in page
    assert str(category) in page
    assert "10.03.2021" in page or "10 March 2021" in page or "2021" in page


def test_overview_links_to_voting_during_the_phase(client, voter, contest):
    client.force_login(voter)

    page = client.get(reverse("prizes:overview", kwargs={"tenant_slug": "wsis"})).content.decode()

    assert reverse("prizes:voting", kwargs={"tenant_slug": "wsis"}) in page
    assert reverse("prizes:my_votes", kwargs={"tenant_slug": "wsis"}) in page


def test_dashboard_for_managers_only(client, manager, stakeholder, quarantined, nominees, category):
    voting.vote_cast(
        category_id=category.pk, entry_id=nominees[1].pk, voter=make_voter("fan@example.org"), signals=signals()
    )
    url = reverse("prizes:voting_dashboard", kwargs={"tenant_slug": "wsis"})
    assert client.get(url).status_code == 302
    client.force_login(stakeholder)
    assert client.get(url).status_code == 404
    client.force_login(manager)

    response = client.get(url)

    assert response.status_code == 200
    series = {item.category.pk: item for item, _chart in response.context["charts"]}[category.pk]
    assert [(day.day, day.valid, day.quarantined, day.voided) for day in series.days] == [
        (dt.date(2021, 3, 10), 1, 2, 0)
    ]
    assert "<svg" in response.content.decode()


# --- query counts -------------------------------------------------------------------------


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_category_page_query_count_does_not_grow(client, voter, call, category):
    make_nominees(call, category, 5)
    client.force_login(voter)
    client.get(category_url(category))
    few = _count_queries(client, category_url(category))
    make_nominees(call, category, 15, start=5)

    assert _count_queries(client, category_url(category)) == few
    assert few <= 10


def test_my_votes_query_count_does_not_grow(client, voter, call, categories):
    url = reverse("prizes:my_votes", kwargs={"tenant_slug": "wsis"})
    client.force_login(voter)
    for category in categories[:2]:
        entry = make_nominees(call, category, 1, start=100)[0]
        voting.vote_cast(category_id=category.pk, entry_id=entry.pk, voter=voter, signals=signals())
    client.get(url)
    few = _count_queries(client, url)
    for category in categories[2:12]:
        entry = make_nominees(call, category, 1, start=100)[0]
        voting.vote_cast(category_id=category.pk, entry_id=entry.pk, voter=voter, signals=signals())

    assert _count_queries(client, url) == few


def test_dashboard_query_count_does_not_grow(client, manager, call, category):
    url = reverse("prizes:voting_dashboard", kwargs={"tenant_slug": "wsis"})
    entries = make_nominees(call, category, 5)
    for index, entry in enumerate(entries):
        voting.vote_cast(
            category_id=category.pk, entry_id=entry.pk, voter=make_voter(f"a{index}@example.org"), signals=signals()
        )
    client.force_login(manager)
    client.get(url)
    few = _count_queries(client, url)
    for index in range(15):
        with time_machine.travel(VOTING_NOW - dt.timedelta(days=index % 5), tick=False):
            voting.vote_cast(
                category_id=category.pk,
                entry_id=entries[0].pk,
                voter=make_voter(f"b{index}@example.org"),
                signals=signals(),
            )

    assert _count_queries(client, url) == few


# --- login by emailed code ------------------------------------------------------------------


def test_login_by_code_sends_a_code_and_logs_in(client, voter, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_request_login_code"), {"email": voter.email})
    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [[voter.email]]
    code = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", mail.outbox[0].body, re.MULTILINE).group(1)

    response = client.post(reverse("account_confirm_login_code"), {"code": code})

    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == voter.pk


def test_session_lasts_for_the_voting_period(settings):
    from wsis_portal import settings as portal_settings

    assert portal_settings.SESSION_COOKIE_AGE == 45 * 24 * 3600
    assert portal_settings.ACCOUNT_LOGIN_BY_CODE_ENABLED is True


def test_login_by_code_confirms_the_email_so_the_voter_may_vote(
    client, category, nominees, django_capture_on_commit_callbacks
):
    unconfirmed = make_voter("late@example.org", verified=False)
    EmailAddress.objects.create(user=unconfirmed, email=unconfirmed.email, verified=False, primary=True)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_request_login_code"), {"email": unconfirmed.email})
    code = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", mail.outbox[-1].body, re.MULTILINE).group(1)
    client.post(reverse("account_confirm_login_code"), {"code": code})

    response = cast(client, category, nominees[0])

    assert messages_of(response) == ["Thank you: your vote is recorded."]
    assert EmailAddress.objects.get(user=unconfirmed).verified is True


@pytest.mark.parametrize("backend", ["configured", "locmem"])
def test_counters_count_through_redis_and_any_other_cache(settings, backend):
    if backend == "locmem":
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # Addresses and accounts of this run only: the cache outlives a test run.
    address, other_address = (f"2001:db8::{secrets.token_hex(2)}:{secrets.token_hex(2)}" for _ in range(2))
    user_id = 10**9 + secrets.randbelow(10**9)
    moment = VOTING_NOW + dt.timedelta(minutes=5)

    counts = [voting_integrity.vote_request_count(user_id=user_id, address=address, now=moment) for _ in range(3)]
    other = voting_integrity.vote_request_count(user_id=user_id + 1, address=other_address, now=moment)

    assert [count.from_address_this_hour for count in counts] == [0, 1, 2]
    assert other.from_address_this_hour == 0
    settings.PRIZES_VOTE_RATE_ACCOUNT = "2/h"
    user_id += 2
    hits = [voting_integrity.vote_request_count(user_id=user_id, address=None, now=moment).limited for _ in range(3)]
    assert hits == [False, False, True]
