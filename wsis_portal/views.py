from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache


def health(request):
    """For load balancers: the process answers and the database is reachable."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@never_cache
def healthz(request):
    """Liveness: the process answers. No database, no session, no tenant (a
    path without a forum slug opens no scope), so it is also the trivial view
    the benchmarks compare every page against (bench/)."""
    return HttpResponse("ok", content_type="text/plain")
