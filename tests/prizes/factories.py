"""factory_boy factories for the prizes; the tenant comes from the call."""

import factory

from prizes import models as prizes
from tests import factories
from wsis_portal.editions.enums import CallKind

WORDS_170 = " ".join(["word"] * 170)


class ContestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = prizes.Contest

    edition = factory.SubFactory(factories.EditionFactory)


class SpecialCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = prizes.ContestCategory

    contest = factory.SubFactory(ContestFactory)
    special_name = factory.Sequence(lambda n: f"Special prize {n}")


class PrizeEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = prizes.PrizeEntry

    call = factory.SubFactory(factories.CallFactory, kind=CallKind.PRIZES)
    tenant = factory.LazyAttribute(lambda o: o.call.edition.tenant)
    owner = factory.SubFactory(factories.UserFactory)
    organisation = factory.LazyAttribute(lambda o: o.owner.organisation if o.owner else None)
    title = factory.Sequence(lambda n: f"Project {n}")


def complete_values(category, stakeholder_type):
    """Everything a submission needs but the SDGs."""
    return {
        "category": category,
        "title": "Connecting rural schools",
        "short_description": WORDS_170,
        "full_description": "The full story.",
        "in_english": True,
        "stakeholder_type": stakeholder_type,
        "country": "KE",
        "completion_status": "ongoing",
        "social_impact": "Pupils online.",
        "challenges_and_future": "Funding.",
    }
