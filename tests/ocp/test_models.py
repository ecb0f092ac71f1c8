"""Completeness of each entry, reference prefixes, the biography word limit."""

import pytest
from django.core.exceptions import ValidationError

from ocp.enums import OcpStatus
from ocp.models import OCP_MODELS, Contribution, HltfNomination, WorkshopRequest
from ocp.validators import MaxWordsValidator
from tests.ocp.factories import SpeakerFactory, WorkshopRequestFactory
from wsis_portal.reference.models import ActionLine, SessionFormat


def test_reference_prefixes_are_distinct():
    assert [model.reference_prefix for model in OCP_MODELS] == ["OCP", "WS", "EX", "SP", "HLTF"]


def test_status_extends_shared_states_with_review_states():
    assert OcpStatus.values == [
        "draft",
        "submitted",
        "withdrawn",
        "under_review",
        "accepted",
        "rejected",
        "changes_requested",
    ]
    assert WorkshopRequest._meta.get_field("status").choices == OcpStatus.choices


def test_empty_workshop_lists_everything_missing(calls, author):
    workshop = WorkshopRequestFactory(call=calls["workshop"], owner=author, title="")

    assert workshop.missing_for_submission() == [
        "title",
        "abstract",
        "session format",
        "language of the session",
        "moderator",
        "Action Lines",
        "at least one speaker",
    ]


def test_complete_workshop_misses_nothing(calls, author):
    workshop = WorkshopRequestFactory(
        call=calls["workshop"],
        owner=author,
        abstract="Why",
        session_format=SessionFormat.objects.first(),
        language="fr",
        moderator_name="Ana",
    )
    workshop.action_lines.add(ActionLine.objects.first())
    SpeakerFactory(workshop=workshop)

    assert workshop.missing_for_submission() == []


def test_missing_names_are_translated(calls, author):
    from django.utils import translation

    contribution = Contribution.objects.create(
        tenant=calls["ocp_contribution"].edition.tenant, call=calls["ocp_contribution"], owner=author
    )
    with translation.override("fr"):
        missing = contribution.missing_for_submission()

    assert all(isinstance(label, str) for label in missing)
    assert len(missing) == 3


def test_biography_of_151_words_is_refused():
    validator = MaxWordsValidator(150)
    validator(" ".join(["word"] * 150))

    with pytest.raises(ValidationError) as refusal:
        validator(" ".join(["word"] * 151))

    assert refusal.value.messages == ["Please shorten this to 150 words or fewer (it has 151)."]


def test_hltf_biography_field_carries_the_limit():
    assert MaxWordsValidator(150) in HltfNomination._meta.get_field("biography").validators
