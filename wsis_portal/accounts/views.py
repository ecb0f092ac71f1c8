import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import services
from .forms import AccountDeleteForm, ProfileForm
from .middleware import PROFILE_LANGUAGE_SESSION_KEY


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in ProfileForm.Meta.fields}
        services.profile_update(
            user=request.user,
            fields=fields,
            organisation_name=form.cleaned_data["organisation_name"],
            organisation_website=form.cleaned_data["organisation_website"],
        )
        request.session[PROFILE_LANGUAGE_SESSION_KEY] = request.user.preferred_language
        messages.success(request, _("Your profile is saved."))
        response = redirect("accounts:profile")
        # The profile's language wins over an earlier choice in the switcher.
        response.delete_cookie("django_language")
        return response
    return render(request, "accounts/profile.html", {"form": form})


@login_required
def data_export(request):
    data = services.account_export(user=request.user)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="wsis-portal-my-data-{timezone.now():%Y%m%d}.json"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request):
    form = AccountDeleteForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        services.account_delete(user=user)
        messages.success(request, _("Your account and personal data have been deleted."))
        return redirect("home")
    return render(request, "accounts/account_delete.html", {"form": form})
