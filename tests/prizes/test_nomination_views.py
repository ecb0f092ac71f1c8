"""The reviewers' scoring page and the public list of nominees: allowed,
another category (404), another tenant (404), anonymous, the form's errors,
and query counts."""

import pytest
import time_machine
from django.urls import reverse

from prizes.models import CategoryReviewer, Contest, Criterion, Score
from prizes.nomination import entries_nominate, nominees_publish
from tests.prizes.conftest import make_prizes_edition
from tests.prizes.test_nomination import BEFORE, DURING, make_entry


@pytest.fixture(autouse=True)
def _nomination_clock(_frozen_clock):
    with time_machine.travel(DURING, tick=False):
        yield


@pytest.fixture
def category(categories):
    return categories[0]


@pytest.fixture
def criteria(contest):
    return list(Criterion.objects.filter(contest=contest))


@pytest.fixture
def entry(call, category):
    return make_entry(call, category, 1)


@pytest.fixture
def assigned(category, reviewer):
    CategoryReviewer.objects.create(category=category, user=reviewer)
    return reviewer


def _category_url(category, slug="wsis"):
    return reverse("prizes:review_category", kwargs={"tenant_slug": slug, "pk": category.pk})


def _score_url(category, entry, slug="wsis"):
    return reverse("prizes:review_score", kwargs={"tenant_slug": slug, "pk": category.pk, "entry_pk": entry.pk})


def _nominees_url(slug="wsis"):
    return reverse("prizes:nominees", kwargs={"tenant_slug": slug})


# --- access ------------------------------------------------------------------------


def test_reviewer_sees_entries_of_assigned_category(client, assigned, category, entry, criteria):
    client.force_login(assigned)

    response = client.get(_category_url(category))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Project 1" in content
    assert content.count('type="radio"') == 6 * len(criteria)


def test_review_list_redirects_to_single_category_and_lists_several(client, assigned, categories):
    client.force_login(assigned)
    list_url = reverse("prizes:review_categories", kwargs={"tenant_slug": "wsis"})

    assert client.get(list_url)["Location"] == _category_url(categories[0])
    CategoryReviewer.objects.create(category=categories[1], user=assigned)
    response = client.get(list_url)
    assert response.status_code == 200
    assert [category.pk for category in response.context["categories"]] == [categories[0].pk, categories[1].pk]


def test_review_pages_answer_404_for_another_category(client, assigned, categories, call):
    other_entry = make_entry(call, categories[1], 2)
    client.force_login(assigned)

    assert client.get(_category_url(categories[1])).status_code == 404
    assert client.post(_score_url(categories[1], other_entry), {}).status_code == 404
    assert Score.objects.count() == 0


def test_review_pages_answer_404_for_another_tenant(client, assigned, category, entry, other_tenant):
    other_edition = make_prizes_edition(other_tenant)
    other_contest = Contest.objects.create(edition=other_edition)
    from prizes.services import categories_seed_from_reference

    categories_seed_from_reference(contest=other_contest)
    other_category = other_contest.categories.first()
    CategoryReviewer.objects.create(category=other_category, user=assigned)
    client.force_login(assigned)

    assert client.get(_category_url(other_category)).status_code == 404
    assert client.get(_category_url(category, slug="regional")).status_code == 404
    assert client.post(_score_url(category, entry, slug="regional"), {}).status_code == 404


def test_review_pages_answer_404_for_stakeholder(client, author, category, entry):
    client.force_login(author)
    assert client.get(reverse("prizes:review_categories", kwargs={"tenant_slug": "wsis"})).status_code == 404
    assert client.get(_category_url(category)).status_code == 404


def test_review_pages_send_anonymous_to_login(client, category, entry):
    for response in (client.get(_category_url(category)), client.post(_score_url(category, entry), {})):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


# --- scoring -----------------------------------------------------------------------


def _field(entry, name, criterion):
    return f"entry-{entry.pk}-{name}_{criterion.pk}"


def test_scores_are_saved_and_shown_again(client, assigned, category, entry, criteria):
    client.force_login(assigned)

    response = client.post(
        _score_url(category, entry),
        {
            _field(entry, "value", criteria[0]): "4",
            _field(entry, "comment", criteria[0]): "Clear results.",
            _field(entry, "value", criteria[1]): "0",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == f"{_category_url(category)}#entry-{entry.pk}"
    assert sorted(Score.objects.values_list("criterion_id", "value", "comment")) == sorted(
        [(criteria[0].pk, 4, "Clear results."), (criteria[1].pk, 0, "")]
    )
    page = client.get(_category_url(category)).content.decode()
    assert "Clear results." in page
    assert f'value="4" class="form-check-input" id="id_{_field(entry, "value", criteria[0])}_4" checked' in page


def test_invalid_scores_come_back_with_errors_and_values(client, assigned, category, entry, criteria):
    client.force_login(assigned)

    response = client.post(
        _score_url(category, entry),
        {
            _field(entry, "value", criteria[0]): "7",
            _field(entry, "comment", criteria[1]): "Needs a score",
            _field(entry, "value", criteria[2]): "3",
        },
    )

    content = response.content.decode()
    assert response.status_code == 400
    form = {row_entry.pk: row_form for row_entry, row_form, _count in response.context["rows"]}[entry.pk]
    assert form.errors == {
        f"value_{criteria[0].pk}": ["Select a valid choice. 7 is not one of the available choices."],
        f"value_{criteria[1].pk}": ["Give a score with your comment."],
    }
    assert "Needs a score</textarea>" in content
    assert f'id="id_{_field(entry, "value", criteria[1])}-error"' in content
    assert Score.objects.count() == 0


def test_scores_refused_outside_nomination_phase(client, assigned, category, entry, criteria):
    client.force_login(assigned)

    with time_machine.travel(BEFORE, tick=False):
        response = client.post(_score_url(category, entry), {_field(entry, "value", criteria[0]): "4"})

    assert response.status_code == 400
    assert "Scores can be given during the nomination phase only." in response.content.decode()
    assert Score.objects.count() == 0


@pytest.mark.parametrize("rows", [1, 50])
def test_review_page_query_count(client, assigned, call, category, criteria, rows, django_assert_max_num_queries):
    for index in range(1, rows + 1):
        entry = make_entry(call, category, index)
        Score.objects.create(entry=entry, criterion=criteria[0], reviewer=assigned, value=3, updated_at=DURING)
    client.force_login(assigned)

    with django_assert_max_num_queries(16):
        response = client.get(_category_url(category))

    assert len(response.context["rows"]) == rows


# --- the public list of nominees ------------------------------------------------------


def test_nominees_page_explains_before_publication(client, entry, manager):
    entries_nominate(entries=[entry], by=manager)

    response = client.get(_nominees_url())

    content = response.content.decode()
    assert response.status_code == 200
    assert "The nominees are announced when the nomination phase closes." in content
    assert "Project 1" not in content


def test_nominees_page_lists_nominated_entries_per_category(client, call, categories, manager, contest):
    nominated = [make_entry(call, categories[0], 1), make_entry(call, categories[1], 2)]
    make_entry(call, categories[0], 3)
    entries_nominate(entries=nominated, by=manager)
    nominees_publish(contest=contest)

    response = client.get(_nominees_url())

    content = response.content.decode()
    assert response.status_code == 200
    assert [entry.title for entry in response.context["entries"]] == ["Project 1", "Project 2"]
    assert "Project 3" not in content
    assert str(categories[1]) in content
    assert "word word word" in content


def test_nominees_page_of_another_tenant_shows_only_its_own(client, entry, manager, contest, other_tenant):
    entries_nominate(entries=[entry], by=manager)
    nominees_publish(contest=contest)
    other_contest = Contest.objects.create(edition=make_prizes_edition(other_tenant))
    nominees_publish(contest=other_contest)

    response = client.get(_nominees_url(slug="regional"))

    assert response.status_code == 200
    assert response.context["entries"] == []
    assert "Project 1" not in response.content.decode()


@pytest.mark.parametrize("rows", [1, 50])
def test_nominees_page_query_count(client, call, categories, manager, contest, rows, django_assert_max_num_queries):
    Contest.objects.filter(pk=contest.pk).update(nomination_quota=50)
    entries = [make_entry(call, categories[index % 3], index) for index in range(1, rows + 1)]
    entries_nominate(entries=entries, by=manager)
    nominees_publish(contest=contest)

    with django_assert_max_num_queries(8):
        response = client.get(_nominees_url())

    assert len(response.context["entries"]) == rows


def test_overview_links_the_nominees_once_public(client, contest):
    overview = reverse("prizes:overview", kwargs={"tenant_slug": "wsis"})
    assert _nominees_url() not in client.get(overview).content.decode()

    nominees_publish(contest=contest)

    assert _nominees_url() in client.get(overview).content.decode()
