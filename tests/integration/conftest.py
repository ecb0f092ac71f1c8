"""What the tests with real Celery processes share: an SMTP server, and a
worker and a beat on the test's database, broker and SMTP server."""

import pytest
from django.conf import settings

from tests.integration.celery_processes import CeleryProcesses, broker_url_for_this_worker, flush_broker, publishing_to
from tests.notifications.smtp_server import running_smtp_server
from wsis_portal.celery import app as celery_app


@pytest.fixture
def smtp_server():
    with running_smtp_server() as server:
        yield server


@pytest.fixture
def celery_processes(transactional_db, smtp_server, tmp_path):
    """A worker and a beat on this test's database, broker and SMTP server."""
    broker_url = broker_url_for_this_worker(settings.TEST_REDIS_URL)
    flush_broker(broker_url)
    processes = CeleryProcesses(
        base_dir=settings.BASE_DIR,
        log_dir=tmp_path,
        database_name=settings.DATABASES["default"]["NAME"],
        broker_url=broker_url,
        email_url=smtp_server.url,
    )
    try:
        processes.start()
        processes.wait_until_ready(timeout=30)
        with publishing_to(celery_app, broker_url):
            yield processes
    finally:
        processes.stop()
        # Shown by pytest only when the test failed.
        print(processes.report())
        flush_broker(broker_url)
