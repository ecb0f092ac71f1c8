"""The public page of an edition's High-Level Track Facilitators. Open to
everyone, anonymous visitors included."""

from __future__ import annotations

from django.shortcuts import render

from . import facilitators
from .agenda_views import edition_from_request


def facilitators_page(request):
    """The selected facilitators of ``?edition=<year>`` or of the current
    edition, with the published sessions they facilitate (a fixed number of
    queries, however many facilitators)."""
    edition = edition_from_request(request)
    context = {"edition": edition, "year_param": request.GET.get("edition", "")}
    if edition is not None:
        context["facilitators"] = facilitators.selected_facilitators(edition=edition)
    return render(request, "ocp/facilitators.html", context)
