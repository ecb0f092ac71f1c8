from allauth.account.internal.flows.login import record_authentication
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from .middleware import PROFILE_LANGUAGE_SESSION_KEY


@receiver(user_logged_in)
def remember_profile_language(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[PROFILE_LANGUAGE_SESSION_KEY] = user.preferred_language


@receiver(authenticator_added)
def count_totp_activation_as_second_factor(sender, request, user, authenticator, **kwargs):
    """Activating TOTP means typing a valid code: this session has passed the
    second factor, so the admin opens without asking for another code."""
    if request is not None and authenticator.type == Authenticator.Type.TOTP:
        record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type)


@receiver(post_save, sender=EmailAddress)
def remember_first_email_confirmation(sender, instance, **kwargs):
    """Every way of confirming an address (link, code, login by code, admin)
    saves the ``EmailAddress`` as verified: the first one is recorded on the
    account, where the voting's integrity signals read it."""
    if instance.verified:
        User = instance._meta.get_field("user").related_model
        User.objects.filter(pk=instance.user_id, email_confirmed_at__isnull=True).update(
            email_confirmed_at=timezone.now()
        )
