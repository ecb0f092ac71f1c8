"""The experts' pages (only their categories; 404 for another category or
tenant; the ranking form's errors), the results and the Success Stories (404
before the announcement, a preview for staff, live after), and query counts."""

# ruff: noqa: F811 (fixtures imported from the services' tests)

import pytest
import time_machine
from django.urls import reverse

from prizes.models import CategoryExpert, ExpertRanking
from prizes.selection import results_announce, tally_run, winner_confirm
from tests.prizes.conftest import make_prizes_edition
from tests.prizes.test_selection import (
    SELECTION,
    SELECTION_CLOSED,
    _selection_clock,  # noqa: F401
    assigned_expert,  # noqa: F401
    cast_votes,
    category,  # noqa: F401
    make_nominee,
    nominees,  # noqa: F401
    seats,
    tallied,  # noqa: F401
)


def _url(name, slug="wsis", **kwargs):
    return reverse(f"prizes:{name}", kwargs={"tenant_slug": slug, **kwargs})


def _places(tallied, order):
    return {f"place_{tallied[index].entry_id}": str(place) for place, index in enumerate(order, start=1)}


# --- the experts' pages --------------------------------------------------------------


def test_expert_sees_only_their_categories(client, tallied, categories, assigned_expert):
    client.force_login(assigned_expert)

    response = client.get(_url("expert_categories"))

    assert response.status_code == 200
    assert [category.pk for category in response.context["categories"]] == [categories[0].pk]
    content = response.content.decode()
    assert "Project 1" in content and "5 valid votes" in content
    assert str(categories[1]) not in content


def test_expert_category_page_shows_the_champions_and_the_form(client, tallied, category, assigned_expert):
    client.force_login(assigned_expert)

    response = client.get(_url("expert_category", pk=category.pk))

    assert response.status_code == 200
    assert [champion.entry.title for champion in response.context["champions"]] == [
        "Project 1",
        "Project 2",
        "Project 3",
    ]
    assert response.context["is_open"] is True
    assert 'name="place_' in response.content.decode()


def test_expert_of_another_category_gets_404(client, tallied, categories, expert):
    CategoryExpert.objects.create(category=categories[1], user=expert)
    client.force_login(expert)

    assert client.get(_url("expert_category", pk=categories[0].pk)).status_code == 404


def test_expert_page_of_another_tenant_is_404(client, tallied, category, assigned_expert, other_tenant):
    edition = make_prizes_edition(other_tenant)
    from prizes.services import contest_ensure

    contest_ensure(edition=edition)
    client.force_login(assigned_expert)

    assert client.get(_url("expert_category", slug="regional", pk=category.pk)).status_code == 404
    assert client.get(_url("expert_categories", slug="regional")).status_code == 404


def test_expert_pages_need_an_assignment(client, tallied, category, reviewer):
    client.force_login(reviewer)

    assert client.get(_url("expert_categories")).status_code == 404
    assert client.get(_url("expert_category", pk=category.pk)).status_code == 404


def test_expert_pages_need_a_login(client, tallied, category):
    response = client.get(_url("expert_categories"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_expert_saves_a_ranking(client, tallied, category, assigned_expert):
    client.force_login(assigned_expert)

    response = client.post(_url("expert_category", pk=category.pk), {**_places(tallied, [2, 0, 1]), "comment": "Hi"})

    assert response.status_code == 302
    ranking = ExpertRanking.objects.get(expert=assigned_expert)
    assert ranking.ranked_entries == [tallied[2].entry_id, tallied[0].entry_id, tallied[1].entry_id]
    page = client.get(_url("expert_category", pk=category.pk))
    assert page.context["form"].initial[f"place_{tallied[2].entry_id}"] == 1


def test_ranking_with_a_place_twice_shows_the_error_next_to_the_field(client, tallied, category, assigned_expert):
    client.force_login(assigned_expert)
    data = {**_places(tallied, [0, 1, 2]), "comment": "kept"}
    data[f"place_{tallied[2].entry_id}"] = "1"

    response = client.post(_url("expert_category", pk=category.pk), data)

    assert response.status_code == 400
    content = response.content.decode()
    field = f"id_place_{tallied[2].entry_id}"
    assert f'id="{field}-error"' in content
    assert "Place 1 is already given to another project." in content
    assert ">kept</textarea>" in content
    assert ExpertRanking.objects.count() == 0


def test_ranking_form_is_gone_after_the_selection(client, tallied, category, assigned_expert):
    client.force_login(assigned_expert)

    with time_machine.travel(SELECTION_CLOSED, tick=False):
        page = client.get(_url("expert_category", pk=category.pk))
        response = client.post(_url("expert_category", pk=category.pk), _places(tallied, [0, 1, 2]))

    assert 'name="place_' not in page.content.decode()
    assert response.status_code == 400
    assert ExpertRanking.objects.count() == 0


@pytest.mark.parametrize("count", [2, 10])
def test_expert_categories_page_query_count(
    client, call, contest, categories, expert, count, django_assert_num_queries
):
    seats(contest, 2)
    for index, each in enumerate(categories[:count]):
        CategoryExpert.objects.create(category=each, user=expert)
        for offset in range(3):
            cast_votes(make_nominee(call, each, index * 10 + offset), offset + 1)
    tally_run(contest=contest)
    client.force_login(expert)

    with django_assert_num_queries(7):
        response = client.get(_url("expert_categories"))

    assert len(response.context["categories"]) == count


# --- results and Success Stories ------------------------------------------------------


@pytest.fixture
def announced(tallied, category, contest, manager):
    winner_confirm(category=category, entry=tallied[0].entry, by=manager)
    results_announce(contest=contest, now=SELECTION)
    return tallied


@pytest.mark.parametrize("name", ["results", "success_stories"])
def test_results_pages_are_404_before_the_announcement(client, tallied, stakeholder, name):
    assert client.get(_url(name)).status_code == 404
    client.force_login(stakeholder)
    assert client.get(_url(name)).status_code == 404


@pytest.mark.parametrize("name", ["results", "success_stories"])
def test_staff_preview_results_with_a_notice(client, tallied, category, contest, manager, name):
    winner_confirm(category=category, entry=tallied[0].entry, by=manager)
    client.force_login(manager)

    response = client.get(_url(name))

    assert response.status_code == 200
    assert "Preview for the secretariat" in response.content.decode()
    assert "Project 1" in response.content.decode()


@pytest.mark.parametrize("name", ["results", "success_stories"])
def test_staff_of_another_tenant_get_404_before_the_announcement(client, tallied, other_manager, name):
    client.force_login(other_manager)

    assert client.get(_url(name)).status_code == 404


def test_results_page_shows_winner_champions_and_votes(client, announced, category):
    response = client.get(_url("results"))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Preview for the secretariat" not in content
    [(shown_category, winner, champions)] = response.context["rows"]
    assert shown_category == category
    assert winner.champion == announced[0]
    assert [(champion.entry.title, champion.votes) for champion in champions] == [
        ("Project 1", 5),
        ("Project 2", 4),
        ("Project 3", 3),
    ]
    assert "4 valid votes" in content


def test_success_stories_one_printable_section_per_winner(client, announced):
    response = client.get(_url("success_stories"))

    assert response.status_code == 200
    content = response.content.decode()
    assert content.count('class="success-story') == 1
    assert "The full story of project 1." in content
    assert "Project 2" not in content
    assert "css/success-stories-print.css" in content


def test_print_stylesheet_puts_one_winner_per_page_without_navigation():
    from pathlib import Path

    from django.conf import settings

    css = (Path(settings.BASE_DIR) / "static" / "css" / "success-stories-print.css").read_text()
    assert "@media print" in css
    assert "page-break-before: always" in css and "break-before: page" in css
    assert "nav" in css and "display: none" in css


def test_overview_links_the_results_once_announced(client, tallied, contest):
    overview = _url("overview")
    assert _url("results") not in client.get(overview).content.decode()

    results_announce(contest=contest, now=SELECTION)

    assert _url("results") in client.get(overview).content.decode()


def _announced_contest(call, contest, categories, manager, count):
    seats(contest, 2)
    for index, each in enumerate(categories[:count]):
        for offset in range(3):
            cast_votes(make_nominee(call, each, index * 10 + offset), offset + 1)
    tally_run(contest=contest)
    for each in categories[:count]:
        champion = each.champions.select_related("entry").first()
        winner_confirm(category=each, entry=champion.entry, by=manager)
    results_announce(contest=contest, now=SELECTION)


@pytest.mark.parametrize("count", [2, 10])
def test_results_page_query_count(client, call, contest, categories, manager, count, django_assert_num_queries):
    _announced_contest(call, contest, categories, manager, count)

    with django_assert_num_queries(5):
        response = client.get(_url("results"))

    assert len(response.context["rows"]) == count


@pytest.mark.parametrize("count", [2, 10])
def test_success_stories_query_count(client, call, contest, categories, manager, count, django_assert_num_queries):
    _announced_contest(call, contest, categories, manager, count)

    with django_assert_num_queries(6):
        response = client.get(_url("success_stories"))

    assert len(response.context["winners"]) == count


def test_results_page_of_a_contest_without_champions(client, contest):
    results_announce(contest=contest, now=SELECTION)

    response = client.get(_url("results"))

    assert response.status_code == 200
    assert "No results yet." in response.content.decode()


@pytest.mark.parametrize("count", [2, 10])
def test_expert_category_page_query_count(client, call, contest, categories, expert, count, django_assert_num_queries):
    seats(contest, count)
    category = categories[0]
    CategoryExpert.objects.create(category=category, user=expert)
    for index in range(count):
        cast_votes(make_nominee(call, category, index), index + 1)
    tally_run(contest=contest)
    client.force_login(expert)

    with django_assert_num_queries(10):
        response = client.get(_url("expert_category", pk=category.pk))

    assert len(response.context["champions"]) == count
