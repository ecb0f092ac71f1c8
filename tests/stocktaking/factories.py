"""factory_boy factories for stocktaking entries and collections."""

import factory

from stocktaking.enums import EntryStatus
from stocktaking.models import Collection, Entry
from tests import factories


class CollectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Collection

    tenant = factory.SubFactory(factories.TenantFactory)
    name = factory.Sequence(lambda n: f"Collection {n}")
    slug = factory.Sequence(lambda n: f"collection-{n}")


class EntryFactory(factory.django.DjangoModelFactory):
    """A draft; ``make_published`` in conftest puts one through the services."""

    class Meta:
        model = Entry
        skip_postgeneration_save = True

    tenant = factory.SubFactory(factories.TenantFactory)
    owner = factory.SubFactory(factories.UserFactory)
    title = factory.Sequence(lambda n: f"Entry {n}")
    description = "A project that connects schools."
    organisation_name = "Kenya ICT Network"
    countries = ["KE"]
    start_year = 2020
    status = EntryStatus.DRAFT
