"""Unsubscribe (signed one-click link, RFC 8058) and the news preferences page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from django_scopes import scope

from wsis_portal.tenants.models import Tenant

from .enums import NewsKind
from .forms import NewsPreferencesForm
from .unsubscribe import address_news_refuse, news_preference_set, news_preferences_of, read_token


# Mail providers send the one-click POST (``List-Unsubscribe=One-Click``) with no
# cookie and no CSRF token; the signed link is the authorisation.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    try:
        user_id, address, tenant_id, kind = read_token(token)
    except signing.BadSignature:
        return render(request, "notifications/unsubscribe_invalid.html", status=400)
    # A token names an account, or only an address (a nominee without an account).
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first() if user_id is not None else None
    tenant = Tenant.objects.filter(pk=tenant_id).first()
    if (user is None and address is None) or tenant is None:
        return render(request, "notifications/unsubscribe_invalid.html", status=404)
    context = {"tenant": tenant, "kind_label": NewsKind(kind).label, "email": user.email if user else address}
    if request.method == "GET":
        return render(request, "notifications/unsubscribe_confirm.html", context)
    with scope(tenant=tenant.pk):
        if user is not None:
            news_preference_set(user=user, tenant=tenant, kind=kind, subscribed=False)
        else:
            address_news_refuse(email=address, tenant=tenant, kind=kind)
    return render(request, "notifications/unsubscribe_done.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    tenant = request.tenant
    current = news_preferences_of(user=request.user, tenant=tenant)
    form = NewsPreferencesForm(request.POST or None, initial_preferences=current)
    if request.method == "POST" and form.is_valid():
        for kind, subscribed in form.chosen().items():
            if subscribed != current[kind]:
                news_preference_set(user=request.user, tenant=tenant, kind=kind, subscribed=subscribed)
        messages.success(request, _("Your email preferences are saved."))
        return redirect("notifications:preferences", tenant_slug=tenant.slug)
    return render(request, "notifications/preferences.html", {"form": form, "tenant": tenant})
