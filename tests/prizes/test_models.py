"""The contest's data: categories from reference data and special prizes,
criteria, and the one-entry-per-category-per-organisation constraint."""

import pytest
from django.db import IntegrityError, transaction

from prizes.models import ContestCategory, Criterion, PrizeEntry
from prizes.services import (
    CRITERIA_2026,
    categories_seed_from_reference,
    contest_ensure,
    criteria_seed,
    special_prize_add,
)
from prizes.validators import WordRangeValidator
from tests.prizes.factories import WORDS_170, PrizeEntryFactory
from wsis_portal.reference.models import PrizeCategory


def test_contest_ensure_adds_18_categories_and_2026_criteria(contest):
    assert contest.nomination_quota == 20
    assert contest.champions_per_category == 5
    assert [category.prize_category.number for category in contest.categories.all()] == list(range(1, 19))
    assert [criterion.name for criterion in contest.criteria.all()] == [name for name, _ in CRITERIA_2026]
    assert len(CRITERIA_2026) == 8


def test_contest_ensure_and_seeds_run_twice_add_nothing(contest):
    assert contest_ensure(edition=contest.edition) == contest
    assert categories_seed_from_reference(contest=contest) == 0
    assert criteria_seed(contest=contest) == 0
    assert (ContestCategory.objects.count(), Criterion.objects.count()) == (18, 8)


def test_contest_prize_call_is_the_editions_prizes_call(contest, call):
    assert contest.prize_call() == call
    assert [phase.key for phase in call.ordered_phases()] == [
        "submission",
        "nomination",
        "voting",
        "selection",
        "announcement",
    ]


def test_special_prize_is_added_after_reference_categories(contest):
    special = special_prize_add(contest=contest, name="Healthy Ageing Innovation")

    assert special.is_special
    assert special.position == 19
    assert str(special) == "Special prize: Healthy Ageing Innovation"
    assert special_prize_add(contest=contest, name="Healthy Ageing Innovation") == special


def test_category_needs_reference_or_special_name_not_both(contest):
    with pytest.raises(IntegrityError), transaction.atomic():
        ContestCategory.objects.create(contest=contest)
    with pytest.raises(IntegrityError), transaction.atomic():
        ContestCategory.objects.create(
            contest=contest, prize_category=PrizeCategory.objects.get(number=1), special_name="x"
        )


def test_reference_category_only_once_per_contest(contest):
    with pytest.raises(IntegrityError), transaction.atomic():
        ContestCategory.objects.create(contest=contest, prize_category=PrizeCategory.objects.get(number=1))


def test_database_refuses_second_entry_of_organisation_in_category(call, categories, author, colleague):
    PrizeEntryFactory(call=call, owner=author, category=categories[0])

    with pytest.raises(IntegrityError), transaction.atomic():
        PrizeEntryFactory(call=call, owner=colleague, category=categories[0])


def test_database_allows_same_category_after_withdrawal_and_other_categories(call, categories, author, colleague):
    PrizeEntryFactory(call=call, owner=author, category=categories[0], status="withdrawn")
    PrizeEntryFactory(call=call, owner=colleague, category=categories[0])
    PrizeEntryFactory(call=call, owner=author, category=categories[1])
    PrizeEntryFactory(call=call, owner=author, category=None)
    PrizeEntryFactory(call=call, owner=author, category=None)

    assert PrizeEntry.objects.count() == 5


def test_database_allows_other_organisation_in_same_category(call, categories, author, other_author):
    PrizeEntryFactory(call=call, owner=author, category=categories[0])
    PrizeEntryFactory(call=call, owner=other_author, category=categories[0])

    assert PrizeEntry.objects.filter(category=categories[0]).count() == 2


@pytest.mark.parametrize(("words", "valid"), [(149, False), (150, True), (200, True), (201, False), (0, False)])
def test_word_range_validator_150_to_200(words, valid):
    validator = WordRangeValidator(150, 200)
    text = " ".join(["word"] * words)
    if valid:
        validator(text)
    else:
        with pytest.raises(Exception) as error:
            validator(text)
        assert error.value.messages == [f"Please write between 150 and 200 words (it has {words})."]


def test_missing_for_submission_names_every_gap(call, author):
    entry = PrizeEntryFactory(call=call, owner=author, title="", short_description="too short")

    assert entry.missing_for_submission() == [
        "category",
        "project title",
        "full description",
        "stakeholder type",
        "country",
        "completion status",
        "challenges and future",
        "short description of 150 to 200 words (it has 2)",
        "confirmation that the entry is in English",
        "at least one impact (economic, social or environmental)",
        "at least one Sustainable Development Goal",
    ]


def test_reference_prefix_and_history(call, author):
    entry = PrizeEntryFactory(call=call, owner=author, short_description=WORDS_170)
    entry.title = "Changed"
    entry.save()

    assert entry.reference_prefix == "PRZ"
    assert entry.history.count() == 2
