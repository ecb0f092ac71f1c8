"""Emails to the owner of a prize entry (nominees, Champions, Winners)."""

from __future__ import annotations

from wsis_portal.notifications.services import email_enqueue_template

from .models import PrizeEntry


def entry_owner_email(entry: PrizeEntry, *, template: str, dedup_key: str, edition, category) -> bool:
    """Queue ``template`` to the entry's owner, in their language, once per
    ``dedup_key``; False when there is nobody to tell or it was queued before."""
    owner = entry.owner
    if owner is None or not owner.email:
        return False  # the owner deleted their account: nobody to tell
    email = email_enqueue_template(
        template=template,
        context={
            "entry": entry,
            "category": category,
            "edition": edition,
            "tenant": entry.tenant,
            "user": owner,
            "title": entry.title_for_owner,
        },
        recipient=owner.email,
        user=owner,
        language=owner.preferred_language,
        tenant=entry.tenant,
        dedup_key=dedup_key,
    )
    return email is not None
