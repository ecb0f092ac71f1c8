"""The public agenda: sessions by day with filters, one session's page, and
their iCalendar files. Open to everyone, anonymous visitors included."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wsis_portal.editions import selectors as edition_selectors
from wsis_portal.reference.models import ActionLine, SessionFormat, SustainableDevelopmentGoal

from . import agenda
from .models import Session

ICAL_CONTENT_TYPE = "text/calendar; charset=utf-8"


class AgendaFilterForm(forms.Form):
    """The agenda's GET filters; every choice list is one query."""

    track = forms.TypedChoiceField(label=gettext_lazy("Track"), required=False, coerce=int, empty_value=None)
    format = forms.TypedChoiceField(label=gettext_lazy("Format"), required=False, coerce=int, empty_value=None)
    action_line = forms.TypedChoiceField(
        label=gettext_lazy("Action Line"), required=False, coerce=int, empty_value=None
    )
    sdg = forms.TypedChoiceField(
        label=gettext_lazy("Sustainable Development Goal"), required=False, coerce=int, empty_value=None
    )
    language = forms.ChoiceField(label=gettext_lazy("Language"), required=False)

    def __init__(self, *args, edition, **kwargs):
        super().__init__(*args, **kwargs)
        every = [("", _("All"))]
        self.fields["track"].choices = every + [(track.pk, track.name) for track in edition.tracks.all()]
        self.fields["format"].choices = every + [(item.pk, item.name) for item in SessionFormat.objects.all()]
        self.fields["action_line"].choices = every + [(line.pk, str(line)) for line in ActionLine.objects.all()]
        self.fields["sdg"].choices = every + [(goal.pk, str(goal)) for goal in SustainableDevelopmentGoal.objects.all()]
        self.fields["language"].choices = every + list(settings.LANGUAGES)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"

    def params(self) -> dict[str, str]:
        """The valid filters as the selector takes them (an invalid one is ignored)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: str(value) for name, value in self.cleaned_data.items() if value not in (None, "")}


def edition_from_request(request):
    """``?edition=<year>`` (a published edition of the tenant) or the current edition."""
    year = request.GET.get("edition", "").strip()
    if year:
        if not year.isdigit():
            raise Http404
        edition = edition_selectors.published_editions(tenant=request.tenant).filter(year=int(year)).first()
        if edition is None:
            raise Http404
        return edition
    return edition_selectors.current_edition(tenant=request.tenant, today=timezone.now().date())


def _filtered(request, edition):
    form = AgendaFilterForm(request.GET or None, edition=edition)
    sessions = agenda.filter_sessions(agenda.published_sessions(edition=edition), params=form.params())
    return form, sessions


def _session_url(request, session: Session) -> str:
    return request.build_absolute_uri(
        reverse("ocp:session", kwargs={"tenant_slug": request.tenant.slug, "pk": session.pk})
    )


def agenda_page(request):
    edition = edition_from_request(request)
    context = {"edition": edition}
    if edition is not None:
        form, sessions = _filtered(request, edition)
        sessions = list(sessions)
        query = request.GET.urlencode()
        context.update(
            {
                "form": form,
                "days": agenda.sessions_by_day(sessions, zone=edition.zone),
                "count": len(sessions),
                "filtered": bool(form.params()),
                "year_param": request.GET.get("edition", ""),
                "ics_url": reverse("ocp:agenda_ics", kwargs={"tenant_slug": request.tenant.slug})
                + (f"?{query}" if query else ""),
            }
        )
    return render(request, "ocp/agenda.html", context)


def session_detail(request, pk: int):
    session = agenda.published_session(tenant=request.tenant, pk=pk)
    return render(request, "ocp/session_detail.html", {"session": session, "edition": session.edition})


def _ical_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=ICAL_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def session_ics(request, pk: int):
    session = agenda.published_session(tenant=request.tenant, pk=pk)
    content = agenda.sessions_as_ical(
        [session], tenant=request.tenant, name=session.title, url_for=lambda item: _session_url(request, item)
    )
    return _ical_response(content, f"{request.tenant.slug}-session-{session.pk}.ics")


def agenda_ics(request):
    edition = edition_from_request(request)
    if edition is None:
        raise Http404
    _form, sessions = _filtered(request, edition)
    content = agenda.sessions_as_ical(
        sessions,
        tenant=request.tenant,
        name=_("%(edition)s: agenda") % {"edition": edition.title},
        url_for=lambda item: _session_url(request, item),
    )
    return _ical_response(content, f"{request.tenant.slug}-agenda-{edition.year}.ics")
