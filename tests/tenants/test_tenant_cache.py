"""The tenant row kept per process (``selectors.tenant_by_slug``): one query
for the first request under ``/<slug>/``, none for the next ones, forgotten
when a tenant is saved; unknown slugs are never kept."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wsis_portal.tenants import selectors
from wsis_portal.tenants.models import Tenant


@pytest.fixture
def kept(settings):
    settings.WSIS_TENANT_CACHE_SECONDS = 60
    selectors._TENANTS.clear()
    yield
    selectors._TENANTS.clear()


def _tenant_queries(client, path: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        status = client.get(path).status_code
    return status, sum('"tenants_tenant"' in query["sql"] for query in queries)


def test_second_request_reads_no_tenant_row(client, tenant, kept):
    assert _tenant_queries(client, "/wsis/") == (200, 1)
    assert _tenant_queries(client, "/wsis/") == (200, 0)


def test_saving_a_tenant_forgets_it_at_once(client, tenant, kept):
    client.get("/wsis/")
    tenant.is_active = False
    tenant.save()

    assert client.get("/wsis/").status_code == 404


def test_unknown_slugs_are_not_kept(client, tenant, kept):
    for number in range(3):
        assert client.get(f"/nowhere-{number}/").status_code == 404
    assert set(selectors._TENANTS) == set()


def test_each_request_gets_its_own_copy(tenant, kept):
    first = selectors.tenant_by_slug("wsis")
    first.name = "Changed by one request"

    assert selectors.tenant_by_slug("wsis").name == "WSIS Forum"
    assert Tenant.objects.get(pk=tenant.pk).name == "WSIS Forum"


def test_off_when_the_setting_is_zero(client, tenant, settings):
    settings.WSIS_TENANT_CACHE_SECONDS = 0
    selectors._TENANTS.clear()
    client.get("/wsis/")

    assert _tenant_queries(client, "/wsis/") == (200, 1)
