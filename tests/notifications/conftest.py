import pytest

from tests.notifications.smtp_server import running_smtp_server
from wsis_portal.env import email_settings_from_url


@pytest.fixture
def smtp_server():
    """A real SMTP server on a free port of 127.0.0.1."""
    with running_smtp_server() as server:
        yield server


@pytest.fixture
def smtp_delivery(settings, smtp_server):
    """The outbox delivers to ``smtp_server`` through the EMAIL_URL parser, as in production."""
    settings.OUTBOX_DELIVERY = {**email_settings_from_url("EMAIL_URL", smtp_server.url), "TIMEOUT": 5}
    return smtp_server
