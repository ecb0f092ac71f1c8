"""Writes on accounts: the profile, and the GDPR export and deletion."""

from __future__ import annotations

from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django_scopes import scopes_disabled

from .models import Organisation, User


def organisation_for(*, name: str, country: str, stakeholder_type, website: str = "") -> Organisation:
    """The organisation of that name in that country, created if new (names compare case-insensitively)."""
    name = " ".join(name.split())
    existing = (
        Organisation.objects.annotate(lower_name=Lower("name")).filter(lower_name=name.lower(), country=country).first()
    )
    if existing is not None:
        if website and not existing.website:
            existing.website = website
            existing.save(update_fields=["website"])
        return existing
    return Organisation.objects.create(name=name, country=country, stakeholder_type=stakeholder_type, website=website)


@transaction.atomic
def profile_update(*, user: User, fields: dict, organisation_name: str, organisation_website: str = "") -> User:
    for name, value in fields.items():
        setattr(user, name, value)
    user.organisation = organisation_for(
        name=organisation_name,
        country=user.country,
        stakeholder_type=user.stakeholder_type,
        website=organisation_website,
    )
    user.save()
    return user


def _submissions_of(user: User) -> list:
    from wsis_portal.editions.selectors import submission_models

    found = []
    for model in submission_models():
        found.extend(model.objects.filter(owner=user).select_related("tenant", "call"))
    return found


def account_export(*, user: User) -> dict:
    """Everything the portal keeps about the user, as JSON-ready data."""
    from allauth.account.models import EmailAddress

    from wsis_portal.notifications.models import OutboxEmail
    from wsis_portal.tenants.models import Membership

    with scopes_disabled():
        return {
            "exported_at": timezone.now().isoformat(),
            "account": {
                "email": user.email,
                "first_name": user.first_name,
                "last_name": user.last_name,
                "job_title": user.job_title,
                "stakeholder_type": str(user.stakeholder_type or ""),
                "country": user.country.code if user.country else "",
                "preferred_language": user.preferred_language,
                "gender": user.gender,
                "date_joined": user.date_joined.isoformat(),
                "last_login": user.last_login.isoformat() if user.last_login else None,
            },
            "organisation": None
            if user.organisation is None
            else {
                "name": user.organisation.name,
                "country": user.organisation.country.code,
                "website": user.organisation.website,
                "stakeholder_type": str(user.organisation.stakeholder_type),
            },
            "email_addresses": [
                {"email": address.email, "verified": address.verified, "primary": address.primary}
                for address in EmailAddress.objects.filter(user=user)
            ],
            "memberships": [
                {"tenant": membership.tenant.slug, "role": membership.role}
                for membership in Membership.objects.filter(user=user).select_related("tenant")
            ],
            "submissions": [
                {
                    "kind": str(submission._meta.verbose_name),
                    "tenant": submission.tenant.slug,
                    "call": submission.call.title,
                    "reference": submission.reference,
                    "status": submission.status,
                    "created_at": submission.created_at.isoformat(),
                    "submitted_at": submission.submitted_at.isoformat() if submission.submitted_at else None,
                }
                for submission in _submissions_of(user)
            ],
            "emails_sent_to_you": [
                {"subject": email.subject, "status": email.status, "created_at": email.created_at.isoformat()}
                for email in OutboxEmail.objects.filter(user=user).order_by("created_at")
            ],
        }


@transaction.atomic
def account_delete(*, user: User) -> None:
    """Remove the person: their account, addresses, second factors, memberships
    and the mail addressed to them. Their submissions stay, without an owner."""
    from wsis_portal.notifications.models import OutboxEmail

    with scopes_disabled():
        OutboxEmail.objects.filter(user=user).delete()
        OutboxEmail.objects.filter(recipient__iexact=user.email).delete()
        for submission_model in _submission_models():
            submission_model.objects.filter(owner=user).update(owner=None)
        user.delete()


def _submission_models():
    from wsis_portal.editions.selectors import submission_models

    return submission_models()
