"""Selection in the admin: experts assigned on the category, the tally
action (refused before the close, once), the Champions list with the
experts' aggregate and the tie flags, and the Winner confirmation."""

# ruff: noqa: F811 (fixtures imported from the services' tests)

import time_machine
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.urls import reverse

from prizes.models import CategoryExpert, Champion, Winner
from prizes.selection import ranking_record, results_announce, tally_run
from tests.prizes.test_selection import (
    VOTING_CLOSES,
    _selection_clock,  # noqa: F401
    assigned_expert,  # noqa: F401
    cast_votes,
    category,  # noqa: F401
    nominees,  # noqa: F401
    seats,
    tallied,  # noqa: F401
)


def _messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def _action(client, model, action, pks):
    return client.post(
        reverse(f"admin:prizes_{model}_changelist"),
        {"action": action, ACTION_CHECKBOX_NAME: [str(pk) for pk in pks], "index": 0},
        follow=True,
    )


def test_category_page_offers_only_tenant_experts_and_managers(
    admin_client_for, manager, reviewer, expert, other_manager, category
):
    response = admin_client_for(manager).get(reverse("admin:prizes_contestcategory_change", args=[category.pk]))

    assert response.status_code == 200
    [formset] = [
        inline.formset for inline in response.context["inline_admin_formsets"] if inline.formset.model is CategoryExpert
    ]
    offered = set(formset.forms[0].fields["user"].queryset)
    assert offered == {manager, expert}


def test_tally_action_refused_before_the_close(admin_client_for, manager, contest, nominees):
    cast_votes(nominees[0], 2)
    client = admin_client_for(manager)

    with time_machine.travel(VOTING_CLOSES.replace(hour=22), tick=False):
        response = _action(client, "contest", "run_tally", [contest.pk])

    assert any("once the public online voting has closed" in message for message in _messages(response))
    assert Champion.objects.count() == 0


def test_tally_action_makes_the_champions_once(admin_client_for, manager, contest, nominees):
    seats(contest, 2)
    for entry, count in zip(nominees, [3, 2, 2, 1], strict=True):
        cast_votes(entry, count)
    client = admin_client_for(manager)

    first = _action(client, "contest", "run_tally", [contest.pk])
    second = _action(client, "contest", "run_tally", [contest.pk])

    assert f"{contest}: 3 Champions made." in _messages(first)
    assert f"{contest}: the votes were already counted; nothing changed." in _messages(second)
    assert Champion.objects.filter(tie_at_cutoff=True).count() == 2


def test_champions_list_shows_votes_ties_and_expert_points(
    admin_client_for, manager, tallied, category, assigned_expert
):
    ranking_record(category=category, by=assigned_expert, ranked_entry_ids=[c.entry_id for c in reversed(tallied)])
    client = admin_client_for(manager)

    response = client.get(reverse("admin:prizes_champion_changelist"))

    assert response.status_code == 200
    rows = {champion.entry.title: champion.ranking_row for champion in response.context["cl"].result_list}
    assert {title: (row.points, row.average_place) for title, row in rows.items()} == {
        "Project 1": (1, 3.0),
        "Project 2": (2, 2.0),
        "Project 3": (3, 1.0),
    }


def test_confirm_winner_action(admin_client_for, manager, tallied):
    client = admin_client_for(manager)

    response = _action(client, "champion", "confirm_winner", [tallied[2].pk])

    assert "1 Winner confirmed." in _messages(response)
    assert Winner.objects.get().champion == tallied[2]


def test_confirm_winner_action_needs_one_champion_per_category(admin_client_for, manager, tallied):
    response = _action(admin_client_for(manager), "champion", "confirm_winner", [tallied[0].pk, tallied[1].pk])

    assert "Select one Champion per category." in _messages(response)
    assert Winner.objects.count() == 0


def test_winner_can_be_withdrawn_until_the_announcement(admin_client_for, manager, tallied, contest):
    client = admin_client_for(manager)
    _action(client, "champion", "confirm_winner", [tallied[0].pk])
    winner = Winner.objects.get()
    delete_url = reverse("admin:prizes_winner_delete", args=[winner.pk])
    assert client.get(delete_url).status_code == 200

    results_announce(contest=contest)

    assert client.get(delete_url).status_code == 403


def test_expert_cannot_run_the_actions(admin_client_for, expert, contest, tallied):
    client = admin_client_for(expert)

    _action(client, "champion", "confirm_winner", [tallied[0].pk])

    assert Winner.objects.count() == 0
    assert tally_run(contest=contest) == 0
