"""factory_boy factories for the OCP entries; the tenant comes from the call."""

import factory

from ocp import models as ocp
from tests import factories
from wsis_portal.editions.enums import CallKind


class _OcpFactory(factory.django.DjangoModelFactory):
    call = factory.SubFactory(factories.CallFactory)
    tenant = factory.LazyAttribute(lambda o: o.call.edition.tenant)
    owner = factory.SubFactory(factories.UserFactory)
    organisation = factory.LazyAttribute(lambda o: o.owner.organisation if o.owner else None)


class ContributionFactory(_OcpFactory):
    class Meta:
        model = ocp.Contribution

    call = factory.SubFactory(factories.CallFactory, kind=CallKind.OCP_CONTRIBUTION)
    thematic_aspects = factory.Sequence(lambda n: f"Thematic aspects {n}")


class WorkshopRequestFactory(_OcpFactory):
    class Meta:
        model = ocp.WorkshopRequest

    call = factory.SubFactory(factories.CallFactory, kind=CallKind.WORKSHOP)
    title = factory.Sequence(lambda n: f"Workshop {n}")


class SpeakerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ocp.Speaker

    workshop = factory.SubFactory(WorkshopRequestFactory)
    name = factory.Sequence(lambda n: f"Speaker {n}")
    organisation = "Kenya ICT Network"
    country = "KE"
    gender = "female"


class ExhibitionRequestFactory(_OcpFactory):
    class Meta:
        model = ocp.ExhibitionRequest

    call = factory.SubFactory(factories.CallFactory, kind=CallKind.EXHIBITION)
    showcase = factory.Sequence(lambda n: f"Exhibit {n}")


class SpeakerRecommendationFactory(_OcpFactory):
    class Meta:
        model = ocp.SpeakerRecommendation

    call = factory.SubFactory(factories.CallFactory, kind=CallKind.SPEAKER)
    speaker_name = factory.Sequence(lambda n: f"Recommended {n}")


class HltfNominationFactory(_OcpFactory):
    class Meta:
        model = ocp.HltfNomination

    call = factory.SubFactory(factories.CallFactory, kind=CallKind.HLTF)
    nominee_name = factory.Sequence(lambda n: f"Nominee {n}")


FACTORY_BY_MODEL = {
    ocp.Contribution: ContributionFactory,
    ocp.WorkshopRequest: WorkshopRequestFactory,
    ocp.ExhibitionRequest: ExhibitionRequestFactory,
    ocp.SpeakerRecommendation: SpeakerRecommendationFactory,
    ocp.HltfNomination: HltfNominationFactory,
}


def _stakeholder_type(slug):
    from wsis_portal.reference.models import StakeholderType

    return StakeholderType.objects.get(slug=slug)


class CoordinationMechanismFactory(factory.django.DjangoModelFactory):
    """A recognised coordination mechanism; pass ``organisations=[...]`` for its members."""

    class Meta:
        model = ocp.CoordinationMechanism
        skip_postgeneration_save = True

    tenant = factory.SubFactory(factories.TenantFactory)
    name = factory.Sequence(lambda n: f"Coordination mechanism {n}")
    stakeholder_type = factory.LazyFunction(lambda: _stakeholder_type("civil-society"))

    @factory.post_generation
    def organisations(self, create, extracted, **kwargs):
        if create and extracted:
            self.organisations.set(extracted)
