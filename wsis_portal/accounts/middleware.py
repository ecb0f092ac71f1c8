from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

PROFILE_LANGUAGE_SESSION_KEY = "profile_language"


class PreferredLanguageMiddleware:
    """Before LocaleMiddleware: a signed-in visitor who has not picked a
    language with the switcher (no cookie) gets the one of their profile,
    remembered in the session at login (see signals.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            language = request.session.get(PROFILE_LANGUAGE_SESSION_KEY)
            if language:
                request.COOKIES[settings.LANGUAGE_COOKIE_NAME] = language
        return self.get_response(request)


class StaffSecondFactorMiddleware:
    """The admin opens only for staff who have set up a second factor (TOTP)
    and passed it in this session. Every login path of allauth asks for the
    code when a factor exists; this holds even if one day one did not."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if request.path_info.startswith("/admin/") and user.is_authenticated and user.is_staff:
            next_query = urlencode({"next": request.get_full_path()})
            if not _has_totp(user):
                messages.warning(request, _("Set up two-factor authentication before you open the administration."))
                return redirect(f"{reverse('mfa_activate_totp')}?{next_query}")
            if not _passed_second_factor(request, user):
                messages.info(request, _("Enter a code from your authenticator app to open the administration."))
                return redirect(f"{reverse('mfa_reauthenticate')}?{next_query}")
        return self.get_response(request)


def _has_totp(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def _passed_second_factor(request, user) -> bool:
    from allauth.account.authentication import get_authentication_records

    return any(record.get("method") == "mfa" for record in get_authentication_records(request, user))
