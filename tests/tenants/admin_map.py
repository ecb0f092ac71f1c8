"""What the isolation tests know about every model in the admin.

Each registered model is in exactly one of the maps below. A new app that
registers a model must add it here (the registry test fails until it does):

- ``TENANT_OWNED``: a factory ``make(tenant, text)`` building one object of
  ``tenant`` (with its parents) whose text fields carry ``text``;
- ``PLATFORM_ONLY``: a factory ``make(tenant, user)`` building one object that
  belongs to no tenant (platform operators only, 403 for tenant staff);
- ``REFERENCE_DATA``: a factory ``make()`` returning one shared object that
  every tenant's staff may read but not change;
- ``TENANT_STAFF_ACCOUNTS``: the user admin, which shows a tenant's staff their
  own members.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import models
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.sampleapp.models import SampleEntry
from wsis_portal.notifications.enums import OutboxStatus
from wsis_portal.tenants.enums import Role
from wsis_portal.tenants.scoping import is_tenant_owned, tenant_filter, tenant_path_of


def _edition(tenant, text):
    return factories.EditionFactory(tenant=tenant, title=f"Edition {text}", theme=text)


def _call(tenant, text):
    return factories.CallFactory(edition=_edition(tenant, text), title=f"Call {text}")


def _phase(tenant, text):
    return factories.PhaseFactory(call=_call(tenant, text), name=f"Phase {text}")


def _phase_event(tenant, text):
    return factories.PhaseEventFactory(phase=_phase(tenant, text))


def _deadline_extension(tenant, text):
    return factories.DeadlineExtensionFactory(call=_call(tenant, text), reason=f"Extension {text}")


def _meeting(tenant, text):
    return factories.MeetingFactory(edition=_edition(tenant, text), title=f"Meeting {text}", place=text)


def _track(tenant, text):
    return factories.TrackFactory(edition=_edition(tenant, text), name=f"Track {text}")


def _membership(tenant, text):
    member = factories.UserFactory(email=f"member-{text}@example.org", last_name=text, is_staff=True)
    return factories.MembershipFactory(tenant=tenant, user=member, role=Role.VIEWER)


def _outbox_email(tenant, text):
    # Failed, so that the "retry now" action would visibly change it.
    return factories.OutboxEmailFactory(
        tenant=tenant, subject=f"Email {text}", recipient=f"recipient-{text}@example.org", status=OutboxStatus.FAILED
    )


def _reminder_rule(tenant, text):
    # A new call comes with its default rules; the 14-day one stands for them.
    from wsis_portal.notifications.models import ReminderRule

    return ReminderRule.objects.filter(call=_call(tenant, text)).order_by("-offset").first()


def _address_news_refusal(tenant, text):
    from wsis_portal.notifications.enums import NewsKind
    from wsis_portal.notifications.models import AddressNewsRefusal

    return AddressNewsRefusal.objects.create(
        tenant=tenant, email=f"nominee-{text}@example.org".lower(), kind=NewsKind.values[0]
    )


def _sample_entry(tenant, text):
    return SampleEntry.objects.create(tenant=tenant, call=_call(tenant, text), title=f"Entry {text}")


def _ocp(factory_name, kind, **fields):
    def make(tenant, text):
        from tests.ocp import factories as ocp_factories

        call = factories.CallFactory(edition=_edition(tenant, text), kind=kind, title=f"Call {text}")
        factory = getattr(ocp_factories, factory_name)
        return factory(call=call, **{name: value.format(text=text) for name, value in fields.items()})

    return make


def _workshop_with_speaker(tenant, text):
    from tests.ocp.factories import SpeakerFactory

    workshop = _ocp("WorkshopRequestFactory", "workshop", title="Workshop {text}")(tenant, text)
    SpeakerFactory(workshop=workshop, name=f"Speaker {text}")
    return workshop


def _session(tenant, text):
    from ocp.models import Session, SessionSpeaker

    starts_at = timezone.now() + dt.timedelta(days=30)
    session = Session.objects.create(
        edition=_edition(tenant, text),
        title=f"Session {text}",
        description=f"About {text}",
        room=f"Room {text}",
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=1),
    )
    SessionSpeaker.objects.create(session=session, name=f"Session speaker {text}")
    _assign_facilitator(session, text)
    return session


def _assign_facilitator(session, text):
    """A High-Level Policy Session with a selected facilitator (an accepted
    HLTF nomination of the session's edition), so that the facilitators'
    inline shows a row and its choices."""
    from ocp.enums import OcpStatus
    from ocp.models import SessionFacilitator
    from tests.ocp.factories import HltfNominationFactory
    from wsis_portal.reference.models import SessionFormat

    session.session_format = SessionFormat.objects.get(name="High-Level Policy Session")
    session.save(update_fields=["session_format"])
    call = factories.CallFactory(edition=session.edition, kind="hltf", title=f"Call {text}")
    nomination = HltfNominationFactory(call=call, status=OcpStatus.ACCEPTED, nominee_name=f"Facilitator {text}")
    SessionFacilitator.objects.create(session=session, nomination=nomination)


def _decision_email_template(tenant, text):
    from ocp.models import DecisionEmailTemplate

    return DecisionEmailTemplate.objects.create(
        tenant=tenant, decision="accepted", subject=f"Accepted {text}", body=f"Dear $name, {text}"
    )


def _coordination_mechanism(tenant, text):
    from ocp.models import CoordinationMechanism
    from wsis_portal.reference.models import StakeholderType

    mechanism = CoordinationMechanism.objects.create(
        tenant=tenant, name=f"Mechanism {text}", stakeholder_type=StakeholderType.objects.order_by("pk").first()
    )
    # Organisations are shared by every tenant: their names carry no tenant's text.
    mechanism.organisations.add(factories.OrganisationFactory(name=f"Member of the {tenant.slug} mechanism"))
    return mechanism


def _final_brief(tenant, text):
    from ocp.models import FinalBrief

    return FinalBrief.objects.create(edition=_edition(tenant, text), introduction=f"Brief {text}")


def _prizes_contest(tenant, text):
    from prizes.models import Contest, ContestCategory, Criterion

    contest = Contest.objects.create(edition=_edition(tenant, text), introduction=f"Contest {text}")
    ContestCategory.objects.create(contest=contest, special_name=f"Special prize {text}")
    Criterion.objects.create(contest=contest, name=f"Criterion {text}")
    return contest


def _prizes_category(tenant, text):
    from prizes.models import ContestCategory

    return ContestCategory.objects.get(contest=_prizes_contest(tenant, text))


def _prize_entry(tenant, text):
    from prizes.models import ContestCategory
    from tests.prizes.factories import PrizeEntryFactory

    contest = _prizes_contest(tenant, text)
    call = factories.CallFactory(edition=contest.edition, kind="prizes", title=f"Call {text}")
    category = ContestCategory.objects.get(contest=contest)
    return PrizeEntryFactory(call=call, category=category, title=f"Project {text}")


def _prizes_champion(tenant, text):
    # A Champion beside the entry made for "prizes.PrizeEntry", in its category:
    # no new edition (the editions' autocomplete answers with one page only).
    from prizes.models import Champion, PrizeEntry
    from tests.prizes.factories import PrizeEntryFactory

    neighbour = PrizeEntry.objects.filter(tenant=tenant, title=f"Project {text}").order_by("pk").first()
    neighbour = neighbour or _prize_entry(tenant, text)
    entry = PrizeEntryFactory(call=neighbour.call, category=neighbour.category, title=f"Champion {text}")
    return Champion.objects.create(category=entry.category, entry=entry, rank=1, votes=3, tallied_at=timezone.now())


def _prizes_winner(tenant, text):
    # The Winner of the Champion made for "prizes.Champion" (no new edition either).
    from prizes.models import Champion, Winner

    champion = Champion.objects.filter(entry__tenant=tenant, winner__isnull=True).first()
    champion = champion or _prizes_champion(tenant, text)
    return Winner.objects.create(category=champion.category, champion=champion, confirmed_at=timezone.now())


def _prize_vote(tenant, text):
    from prizes.models import Vote

    entry = _prize_entry(tenant, text)
    entry.nominated_at = timezone.now()
    entry.save()
    return Vote.objects.create(
        category=entry.category,
        entry=entry,
        voter=factories.UserFactory(),
        cast_at=timezone.now(),
        status="quarantined",
        reasons=["headless_agent"],
        user_agent=f"Agent {text}",
    )


def _stocktaking_collection(tenant, text):
    from django.utils.text import slugify

    from tests.stocktaking.factories import CollectionFactory

    return CollectionFactory(tenant=tenant, name=f"Collection {text}", slug=slugify(f"collection {text}")[:60])


def _stocktaking_entry(tenant, text):
    from django.utils.text import slugify

    from tests.stocktaking.factories import CollectionFactory, EntryFactory

    entry = EntryFactory(tenant=tenant, title=f"Stocktaking {text}", organisation_name=f"Organisation {text}")
    slug = slugify(f"entry collection {text}")[:60]
    entry.collections.add(CollectionFactory(tenant=tenant, name=f"Entry collection {text}", slug=slug))
    return entry


TENANT_OWNED: dict[str, Callable] = {
    "tenants.Membership": _membership,
    "editions.Edition": _edition,
    "editions.Call": _call,
    "editions.Phase": _phase,
    "editions.PhaseEvent": _phase_event,
    "editions.DeadlineExtension": _deadline_extension,
    "editions.Meeting": _meeting,
    "editions.Track": _track,
    "notifications.OutboxEmail": _outbox_email,
    "notifications.ReminderRule": _reminder_rule,
    "notifications.AddressNewsRefusal": _address_news_refusal,
    "sampleapp.SampleEntry": _sample_entry,
    "ocp.Contribution": _ocp("ContributionFactory", "ocp_contribution", thematic_aspects="Aspects {text}"),
    "ocp.WorkshopRequest": _workshop_with_speaker,
    "ocp.ExhibitionRequest": _ocp("ExhibitionRequestFactory", "exhibition", showcase="Exhibit {text}"),
    "ocp.SpeakerRecommendation": _ocp("SpeakerRecommendationFactory", "speaker", speaker_name="Person {text}"),
    "ocp.HltfNomination": _ocp("HltfNominationFactory", "hltf", nominee_name="Nominee {text}"),
    "ocp.Session": _session,
    "ocp.CoordinationMechanism": _coordination_mechanism,
    "ocp.DecisionEmailTemplate": _decision_email_template,
    "ocp.FinalBrief": _final_brief,
    "prizes.Contest": _prizes_contest,
    "prizes.ContestCategory": _prizes_category,
    "prizes.PrizeEntry": _prize_entry,
    "prizes.Vote": _prize_vote,
    "prizes.Champion": _prizes_champion,
    "prizes.Winner": _prizes_winner,
    "stocktaking.Entry": _stocktaking_entry,
    "stocktaking.Collection": _stocktaking_collection,
}


def _interval():
    from django_celery_beat.models import IntervalSchedule

    return IntervalSchedule.objects.create(every=10, period=IntervalSchedule.SECONDS)


def _periodic_task(tenant, user):
    from django_celery_beat.models import PeriodicTask

    return PeriodicTask.objects.create(name="isolation probe", task="editions.tick", interval=_interval())


def _clocked_schedule(tenant, user):
    from django_celery_beat.models import ClockedSchedule

    return ClockedSchedule.objects.create(clocked_time=timezone.now() + dt.timedelta(days=1))


def _crontab_schedule(tenant, user):
    from django_celery_beat.models import CrontabSchedule

    return CrontabSchedule.objects.create(minute="5")


def _solar_schedule(tenant, user):
    from django_celery_beat.models import SolarSchedule

    return SolarSchedule.objects.create(event="sunrise", latitude=46.2, longitude=6.1)


def _email_address(tenant, user):
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.get(user=user)


def _authenticator(tenant, user):
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)


PLATFORM_ONLY: dict[str, Callable] = {
    "tenants.Tenant": lambda tenant, user: tenant,
    "auth.Group": lambda tenant, user: Group.objects.create(name="Secretariat"),
    "account.EmailAddress": _email_address,
    "mfa.Authenticator": _authenticator,
    "django_celery_beat.PeriodicTask": _periodic_task,
    "django_celery_beat.ClockedSchedule": _clocked_schedule,
    "django_celery_beat.CrontabSchedule": _crontab_schedule,
    "django_celery_beat.SolarSchedule": _solar_schedule,
    "django_celery_beat.IntervalSchedule": lambda tenant, user: _interval(),
}


def _first(label):
    def get():
        from django.apps import apps

        obj = apps.get_model(label)._default_manager.order_by("pk").first()
        assert obj is not None, f"{label}: the reference data migration loaded nothing"
        return obj

    return get


REFERENCE_DATA: dict[str, Callable] = {
    "reference.ActionLine": _first("reference.ActionLine"),
    "reference.SustainableDevelopmentGoal": _first("reference.SustainableDevelopmentGoal"),
    "reference.PrizeCategory": _first("reference.PrizeCategory"),
    "reference.StakeholderType": _first("reference.StakeholderType"),
    "reference.SpecialTrack": _first("reference.SpecialTrack"),
    "reference.SessionFormat": _first("reference.SessionFormat"),
    "reference.Region": _first("reference.Region"),
    "reference.PartnershipTier": _first("reference.PartnershipTier"),
    "accounts.Organisation": lambda: factories.OrganisationFactory(name="Geneva Internet Platform", country="CH"),
}

TENANT_STAFF_ACCOUNTS = {"accounts.User"}


# The registry, read once at collection (Django is set up before tests are collected).
REGISTRY: dict[str, tuple[type[models.Model], admin.ModelAdmin]] = {
    model._meta.label: (model, model_admin)
    for model, model_admin in sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
}

TENANT_OWNED_LABELS = [label for label, (model, _) in REGISTRY.items() if is_tenant_owned(model)]
OBJECT_VIEWS = ["change", "delete", "history"]

#: Tenant-owned records their admin never deletes (kept for audit, e.g. votes):
#: the delete page of one's own object answers 403 and ``delete_selected`` leaves it.
NEVER_DELETED = {"prizes.Vote", "prizes.Champion", "notifications.AddressNewsRefusal"}
#: Read-only admins that offer no action at all (not even to a manager).
WITHOUT_ACTIONS = {"notifications.AddressNewsRefusal"}


def model_of(label: str) -> type[models.Model]:
    return REGISTRY[label][0]


def admin_of(label: str) -> admin.ModelAdmin:
    return REGISTRY[label][1]


def admin_url(model_or_obj, view: str, *args) -> str:
    opts = model_or_obj._meta
    if isinstance(model_or_obj, models.Model) and not args and view in ("change", "delete", "history"):
        args = (model_or_obj.pk,)
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def pks_of(model, tenant) -> set:
    """Every object of ``model`` in ``tenant``, read from the database."""
    return set(model._default_manager.filter(**tenant_filter(model, [tenant.pk])).values_list("pk", flat=True))


def snapshot(obj) -> dict:
    """The stored column values of ``obj``, to prove that nothing changed it."""
    model = type(obj)
    return model._base_manager.filter(pk=obj.pk).values(*[field.attname for field in model._meta.concrete_fields])[0]


def incoming_relations(target: type[models.Model]) -> list[tuple[str, str]]:
    """``(source model label, field name)`` of every relation, on any model,
    through which the admin's autocomplete endpoint searches ``target``: the
    endpoint takes any field whose ``remote_field.model`` is ``target`` (foreign
    keys and many-to-many fields pointing at it, and the reverse side of the
    relations ``target`` itself declares)."""
    from django.apps import apps

    found = []
    for source in apps.get_models():
        for field in source._meta.get_fields():
            if field.is_relation and getattr(field.remote_field, "model", None) is target:
                found.append((source._meta.label, field.name))
    return sorted(found)


def pair_for(tenant_objects, label):
    if label not in tenant_objects:
        pytest.fail(f"{label} is tenant-owned: add a factory for it to TENANT_OWNED in tests/tenants/admin_map.py")
    return tenant_objects[label]


def request_as(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def exists(obj) -> bool:
    return type(obj)._base_manager.filter(pk=obj.pk).exists()


def choice_querysets(response):
    """``(field, queryset)`` of every choice field in the page's main form and inline forms."""
    forms = [(response.context["adminform"].form, set())]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        forms.extend((form, set()) for form in formset.forms)
        # The empty form is built when the test reads it, outside the request:
        # its primary key and parent fields are added then, its other fields
        # come from the form class the admin built during the request.
        forms.append((formset.empty_form, {formset.model._meta.pk.name, formset.fk.name}))
    for form, skipped in forms:
        for name, field in form.fields.items():
            queryset = getattr(field, "queryset", None)
            if queryset is not None and name not in skipped:
                yield f"{form.prefix or ''}{name}", queryset


def _accepted_nominations(tenant, response) -> set:
    from ocp.enums import OcpStatus
    from ocp.models import HltfNomination

    nominations = HltfNomination._base_manager.filter(tenant=tenant, status=OcpStatus.ACCEPTED)
    session = response.context.get("original")
    if session is not None:
        nominations = nominations.filter(call__edition_id=session.edition_id)
    return set(nominations.values_list("pk", flat=True))


def _phases_of_the_call(tenant, response) -> set:
    from wsis_portal.editions.models import Phase

    call = response.context.get("original")
    return set(Phase._base_manager.filter(call=call).values_list("pk", flat=True)) if call is not None else set()


# Choice fields that a page narrows on purpose, by inline prefix and field
# name, with the exact set they must offer (still within ``tenant``): the
# session's facilitators are accepted HLTF nominations of its edition.
NARROWED_CHOICES: dict[tuple[str, str], Callable] = {
    ("facilitators", "nomination"): _accepted_nominations,
    # A call's reminder rules choose among the phases of that call.
    ("reminder_rules", "phase"): _phases_of_the_call,
}


def _narrowed(name: str):
    for (prefix, field_name), expected in NARROWED_CHOICES.items():
        if name.startswith(f"{prefix}-") and name.endswith(field_name):
            return expected
    return None


def assert_choices_only_of(tenant, response) -> list[str]:
    """Tenant-owned choices (and tenants) are exactly those of ``tenant``; returns the fields checked."""
    checked = []
    for name, queryset in choice_querysets(response):
        if tenant_path_of(queryset.model) is None:
            continue  # shared data: organisations, accounts, reference data
        narrowed = _narrowed(name)
        expected = narrowed(tenant, response) if narrowed else pks_of(queryset.model, tenant)
        assert set(queryset.values_list("pk", flat=True)) == expected, name
        checked.append(name)
    return checked


def leaks(response, markers) -> list[str]:
    content = response.content.decode(errors="replace")
    return [marker for marker in markers if marker in content]
