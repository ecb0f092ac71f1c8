"""The portal's URLs plus one calibration view of the voting benchmark: a bare
unique-constraint insert, with nothing of the real vote but the signed-in
voter (session and user), CSRF and the insert itself. The issue states such a
view at about 0.22 x the trivial view on its machine: measured beside the real
vote in the same run, it says how far the vote is from the bare minimum here."""

from django.db import connection
from django.http import HttpResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from wsis_portal.urls import urlpatterns as portal_urlpatterns

BARE_INSERT = (
    "INSERT INTO prizes_vote (category_id, entry_id, voter_id, cast_at, status, reasons, user_agent)"
    " VALUES (%s, %s, %s, %s, 'valid', '[]', '') ON CONFLICT DO NOTHING RETURNING id"
)


@require_POST
def bare_vote(request, category: int):
    if not request.user.is_authenticated:
        return HttpResponse(status=403)
    with connection.cursor() as cursor:
        cursor.execute(BARE_INSERT, [category, int(request.POST["entry"]), request.user.pk, timezone.now()])
        stored = cursor.fetchone() is not None
    return HttpResponse(status=201 if stored else 409)


urlpatterns = [path("bench/bare-vote/<int:category>/", bare_vote), *portal_urlpatterns]
