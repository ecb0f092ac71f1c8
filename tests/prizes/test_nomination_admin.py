"""Nomination in the admin: reviewers assigned on the category, the ranked
entries list with the average score, and the nominate / un-nominate actions."""

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse

from prizes.models import CategoryReviewer, Contest, Criterion, PrizeEntry
from prizes.nomination import score_record
from tests.prizes.test_nomination import DURING, make_entry

CHANGELIST = "admin:prizes_prizeentry_changelist"


@pytest.fixture(autouse=True)
def _nomination_clock(_frozen_clock):
    with time_machine.travel(DURING, tick=False):
        yield


@pytest.fixture
def category(categories):
    return categories[0]


@pytest.fixture
def entries(call, category):
    return [make_entry(call, category, index) for index in range(1, 4)]


PrizeAdminColumns = [
    "reference",
    "title",
    "category",
    "organisation",
    "country",
    "status",
    "average_score",
    "score_count",
    "is_nominated",
    "submitted_at",
]


def _nominated():
    return sorted(PrizeEntry.objects.filter(nominated_at__isnull=False).values_list("title", flat=True))


def _messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_category_page_offers_only_tenant_reviewers_and_managers(
    admin_client_for, manager, reviewer, expert, other_manager, stakeholder, category
):
    response = admin_client_for(manager).get(reverse("admin:prizes_contestcategory_change", args=[category.pk]))

    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert formset.prefix == "reviewers"
    choices = sorted(user.email for user in formset.forms[0].fields["user"].queryset)
    assert choices == ["manager@example.org", "reviewer@example.org"]


def test_manager_assigns_a_reviewer_on_the_category_page(admin_client_for, manager, reviewer, category):
    url = reverse("admin:prizes_contestcategory_change", args=[category.pk])
    client = admin_client_for(manager)

    response = client.post(
        url,
        {
            "contest": category.contest_id,
            "prize_category": category.prize_category_id,
            "special_name": "",
            "position": category.position,
            "description": "",
            "active": "on",
            "reviewers-TOTAL_FORMS": "1",
            "reviewers-INITIAL_FORMS": "0",
            "reviewers-0-user": reviewer.pk,
        },
    )

    assert response.status_code == 302, response.context["errors"] if response.context else None
    assert list(CategoryReviewer.objects.values_list("category_id", "user_id")) == [(category.pk, reviewer.pk)]


def test_changelist_ranks_by_average_score(admin_client_for, manager, entries, category, contest):
    CategoryReviewer.objects.create(category=category, user=manager)
    criteria = list(Criterion.objects.filter(contest=contest))
    score_record(entry=entries[0], criterion=criteria[0], by=manager, value=2)
    score_record(entry=entries[1], criterion=criteria[0], by=manager, value=5)
    score_record(entry=entries[1], criterion=criteria[1], by=manager, value=4)
    ordering = PrizeAdminColumns.index("average_score") + 1  # the checkbox column comes first

    response = admin_client_for(manager).get(
        reverse(CHANGELIST), {"category__id__exact": category.pk, "o": f"-{ordering}"}
    )

    rows = [(entry.title, entry.average, entry.scored) for entry in response.context["cl"].result_list]
    assert rows[:2] == [("Project 2", 4.5, 2), ("Project 1", 2.0, 1)]
    assert "4.50" in response.content.decode()


def test_list_display_is_as_documented():
    from django.contrib import admin

    assert admin.site._registry[PrizeEntry].list_display == PrizeAdminColumns


def test_nominate_action_within_quota(admin_client_for, manager, entries):
    response = admin_client_for(manager).post(
        reverse(CHANGELIST), {"action": "nominate", "_selected_action": [entries[0].pk, entries[1].pk]}, follow=True
    )

    assert _messages(response) == ["2 entries nominated."]
    assert _nominated() == ["Project 1", "Project 2"]


def test_nominate_action_beyond_quota_shows_message_and_changes_nothing(
    admin_client_for, manager, entries, contest, category
):
    Contest.objects.filter(pk=contest.pk).update(nomination_quota=2, champions_per_category=1)

    response = admin_client_for(manager).post(
        reverse(CHANGELIST), {"action": "nominate", "_selected_action": [entry.pk for entry in entries]}, follow=True
    )

    assert _messages(response) == [
        f"{category} may have 2 nominees; it has 0 and you selected 3 more. Un-nominate some first or select fewer."
    ]
    assert _nominated() == []


def test_unnominate_action(admin_client_for, manager, entries):
    client = admin_client_for(manager)
    client.post(reverse(CHANGELIST), {"action": "nominate", "_selected_action": [entries[0].pk]})

    response = client.post(
        reverse(CHANGELIST), {"action": "unnominate", "_selected_action": [entries[0].pk]}, follow=True
    )

    assert _messages(response)[-1] == "1 nomination withdrawn."
    assert _nominated() == []


def test_reviewer_has_no_nominate_action(admin_client_for, reviewer, entries):
    client = admin_client_for(reviewer)

    response = client.get(reverse(CHANGELIST))
    client.post(reverse(CHANGELIST), {"action": "nominate", "_selected_action": [entries[0].pk]})

    assert [name for name, _label in response.context["action_form"].fields["action"].choices] == [
        "",
        "export_csv",
    ]
    assert _nominated() == []


@pytest.mark.parametrize("rows", [1, 50])
def test_changelist_with_scores_query_count(
    admin_client_for, manager, call, category, contest, rows, django_assert_max_num_queries
):
    CategoryReviewer.objects.create(category=category, user=manager)
    criterion = Criterion.objects.filter(contest=contest).first()
    for index in range(1, rows + 1):
        score_record(entry=make_entry(call, category, index), criterion=criterion, by=manager, value=index % 6)
    client = admin_client_for(manager)

    with django_assert_max_num_queries(20):
        response = client.get(reverse(CHANGELIST))

    assert response.context["cl"].result_count == rows
