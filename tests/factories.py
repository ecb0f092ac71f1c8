"""factory_boy factories for the platform's models. Tenant-owned factories
take their tenant from the parent (``call__edition__tenant=...``)."""

import datetime as dt
import zoneinfo

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from wsis_portal.accounts.models import Organisation, User
from wsis_portal.editions import models as editions
from wsis_portal.editions.enums import CallKind, EditionStatus
from wsis_portal.notifications.models import OutboxEmail
from wsis_portal.reference.models import StakeholderType
from wsis_portal.tenants.models import Membership, Tenant

PASSWORD = "correct-horse-battery-staple"
GENEVA = zoneinfo.ZoneInfo("Europe/Zurich")


class TenantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tenant
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"forum-{n}")
    name = factory.LazyAttribute(lambda o: f"Forum {o.slug}")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    stakeholder_type = factory.LazyFunction(lambda: StakeholderType.objects.get(slug="civil-society"))
    country = "KE"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = "Amina"
    last_name = factory.Sequence(lambda n: f"Person{n}")
    country = "KE"
    preferred_language = "en"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)
        if create:
            self.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    tenant = factory.SubFactory(TenantFactory)
    user = factory.SubFactory(UserFactory, is_staff=True)
    role = "manager"


class EditionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = editions.Edition

    tenant = factory.SubFactory(TenantFactory)
    # Years cycle through 2030-9029: a worker of the isolation walk creates
    # thousands of editions, and a year past 9999 is not a date.
    year = factory.Sequence(lambda n: 2030 + n % 7000)
    title = factory.LazyAttribute(lambda o: f"WSIS Forum {o.year}")
    theme = "ICTs for sustainable development"
    starts_on = factory.LazyAttribute(lambda o: dt.date(o.year, 5, 17))
    ends_on = factory.LazyAttribute(lambda o: dt.date(o.year, 5, 21))
    status = EditionStatus.PUBLISHED


class CallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = editions.Call

    edition = factory.SubFactory(EditionFactory)
    kind = CallKind.WORKSHOP
    title = factory.LazyAttribute(lambda o: f"Call {o.kind}")


class PhaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = editions.Phase

    call = factory.SubFactory(CallFactory)
    key = "submission"
    name = "Submissions"
    opens_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=10))
    closes_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=10))
    accepts_submissions = True


class DeadlineExtensionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = editions.DeadlineExtension

    call = factory.SubFactory(CallFactory)
    closes_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=20))


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = editions.Meeting

    edition = factory.SubFactory(EditionFactory)
    title = factory.Sequence(lambda n: f"OCP meeting {n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=3))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=1))


class TrackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = editions.Track

    edition = factory.SubFactory(EditionFactory)
    name = factory.Sequence(lambda n: f"Track {n}")


class PhaseEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = editions.PhaseEvent

    phase = factory.SubFactory(PhaseFactory)
    kind = "opened"
    boundary_at = factory.LazyAttribute(lambda o: o.phase.opens_at)


class OutboxEmailFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutboxEmail

    tenant = factory.SubFactory(TenantFactory)
    dedup_key = factory.Sequence(lambda n: f"test:{n}")
    recipient = factory.Sequence(lambda n: f"recipient{n}@example.org")
    from_email = "WSIS <no-reply@example.org>"
    subject = "Subject"
    body_text = "Body"


def open_call(*, tenant, kind=CallKind.WORKSHOP, opens_at=None, closes_at=None, year=None):
    """An edition of ``tenant`` with a call whose submission phase is open now."""
    edition_kwargs = {"tenant": tenant}
    if year is not None:
        edition_kwargs["year"] = year
    edition = EditionFactory(**edition_kwargs)
    call = CallFactory(edition=edition, kind=kind)
    PhaseFactory(
        call=call,
        opens_at=opens_at or timezone.now() - dt.timedelta(days=10),
        closes_at=closes_at or timezone.now() + dt.timedelta(days=10),
    )
    return call
