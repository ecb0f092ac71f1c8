"""allauth's own mail goes through the outbox too, in the user's language, with an HTML part."""

import pytest
from django.urls import reverse

from tests import factories
from wsis_portal.notifications.enums import EmailCategory, OutboxStatus
from wsis_portal.notifications.models import OutboxEmail
from wsis_portal.notifications.services import outbox_send_due

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "subject", "html_tag"),
    [
        ("en", "[WSIS] Password Reset Email", '<html lang="en" dir="ltr">'),
        ("fr", "[WSIS] E-mail de réinitialisation de mot de passe", '<html lang="fr" dir="ltr">'),
        ("ar", "[WSIS] رسالة إعادة ضبط كلمة المرور", '<html lang="ar" dir="rtl">'),
    ],
)
def test_password_reset_mail_is_queued_in_preferred_language(client, smtp_delivery, language, subject, html_tag):
    user = factories.UserFactory(email="amina@example.org", preferred_language=language)
    # The visitor's browser is in English: the mail follows the account's language.
    response = client.post(reverse("account_reset_password"), {"email": "amina@example.org"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302

    email = OutboxEmail.objects.get()
    assert (email.recipient, email.user, email.language, email.subject, email.status, email.category, email.tenant) == (
        "amina@example.org",
        user,
        language,
        subject,
        OutboxStatus.QUEUED,
        EmailCategory.TRANSACTIONAL,
        None,
    )
    assert "/accounts/password/reset/key/" in email.body_text
    assert html_tag in email.body_html
    assert f"<title>{subject}</title>" in email.body_html
    # The reset link is a link in the HTML part.
    reset_url = next(line for line in email.body_text.splitlines() if "/accounts/password/reset/key/" in line)
    assert f'<a href="{reset_url}">{reset_url}</a>' in email.body_html

    assert outbox_send_due() == {"sent": 1, "retry": 0, "failed": 0}
    [received] = smtp_delivery.received
    assert received.rcpt_tos == ["amina@example.org"]
    assert received.header("Subject") == subject
    assert received.text == email.body_text
    assert html_tag in received.html


def test_password_reset_mail_for_unknown_address_goes_through_outbox(client, smtp_delivery):
    # allauth tells an unknown address that it has no account (enumeration-proof); that mail is queued too.
    client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    email = OutboxEmail.objects.get()
    assert (email.recipient, email.user, email.language) == ("nobody@example.org", None, "en")
    assert email.body_html != ""
