"""Django's ``EMAIL_BACKEND``: every email Django or allauth sends goes to the outbox."""

from __future__ import annotations

import uuid

from django.contrib.auth import get_user_model
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import translation

from .services import email_enqueue


class OutboxBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        stored = 0
        User = get_user_model()
        for message in email_messages:
            html = next(
                (content for content, mimetype in getattr(message, "alternatives", []) if mimetype == "text/html"), ""
            )
            for recipient in message.recipients():
                user = User.objects.filter(email__iexact=recipient).first()
                email = email_enqueue(
                    recipient=recipient,
                    subject=message.subject,
                    body_text=message.body,
                    body_html=html,
                    dedup_key=f"mail:{uuid.uuid4()}",
                    user=user,
                    from_email=message.from_email,
                    language=translation.get_language() or "en",
                    headers=dict(message.extra_headers),
                )
                stored += email is not None
        return stored
