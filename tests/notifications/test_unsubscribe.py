"""One-click unsubscribe (RFC 8058), the preferences page, and headers on news mail."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from wsis_portal.notifications.enums import EmailCategory, NewsKind
from wsis_portal.notifications.models import NewsPreference
from wsis_portal.notifications.services import email_enqueue
from wsis_portal.notifications.unsubscribe import news_preferences_of, unsubscribe_token


def _url(user, tenant, kind=NewsKind.REMINDERS):
    token = unsubscribe_token(user_id=user.pk, tenant_id=tenant.pk, kind=kind)
    return reverse("notifications:unsubscribe", kwargs={"token": token})


def _choices(user, tenant):
    return list(NewsPreference.objects.filter(user=user, tenant=tenant).values_list("kind", "subscribed"))


def test_unsubscribe_get_asks_for_confirmation_and_changes_nothing(client, stakeholder, tenant):
    response = client.get(_url(stakeholder, tenant))
    assert response.status_code == 200
    content = response.content.decode()
    question = (
        "Stop sending “Deadline reminders for your drafts and reviews” from WSIS Forum to stakeholder@example.org?"
    )
    assert question in content
    assert '<button type="submit" class="btn btn-primary">Unsubscribe</button>' in content
    assert _choices(stakeholder, tenant) == []


def test_unsubscribe_post_leaves_that_kind_of_news_of_that_tenant(client, stakeholder, tenant):
    response = client.post(_url(stakeholder, tenant))
    assert response.status_code == 200
    assert "stakeholder@example.org no longer receives" in response.content.decode()
    assert _choices(stakeholder, tenant) == [(NewsKind.REMINDERS, False)]


def test_unsubscribe_one_click_post_without_csrf_token_or_session(stakeholder, tenant):
    client = Client(enforce_csrf_checks=True)
    response = client.post(_url(stakeholder, tenant), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert _choices(stakeholder, tenant) == [(NewsKind.REMINDERS, False)]


@pytest.mark.parametrize("method", ["get", "post"])
def test_unsubscribe_tampered_token_is_refused(client, stakeholder, tenant, method):
    token = unsubscribe_token(user_id=stakeholder.pk, tenant_id=tenant.pk, kind=NewsKind.REMINDERS)
    forged = token[:-3] + ("AAA" if token[-3:] != "AAA" else "BBB")
    response = getattr(client, method)(reverse("notifications:unsubscribe", kwargs={"token": forged}))
    assert response.status_code == 400
    assert "This unsubscribe link is not valid" in response.content.decode()
    assert _choices(stakeholder, tenant) == []


def test_preferences_page_anonymous_goes_to_login(client, tenant):
    url = reverse("notifications:preferences", kwargs={"tenant_slug": tenant.slug})
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_preferences_page_lists_kinds_and_saves_choices(client, stakeholder, tenant, other_tenant):
    url = reverse("notifications:preferences", kwargs={"tenant_slug": tenant.slug})
    client.force_login(stakeholder)
    response = client.get(url)
    assert response.status_code == 200
    form = response.context["form"]
    assert {name: field.initial for name, field in form.fields.items()} == {
        "reminders": True,
        "phase_news": False,
        "announcements": False,
    }
    assert "Account and receipt emails always arrive." in response.content.decode()
    response = client.post(url, {"phase_news": "on"})
    assert response.status_code == 302
    assert news_preferences_of(user=stakeholder, tenant=tenant) == {
        "reminders": False,
        "phase_news": True,
        "announcements": False,
    }
    assert news_preferences_of(user=stakeholder, tenant=other_tenant) == {
        "reminders": True,
        "phase_news": False,
        "announcements": False,
    }


def test_news_email_gets_unsubscribe_headers_transactional_does_not(stakeholder, tenant):
    news = email_enqueue(
        recipient=stakeholder.email,
        subject="News",
        body_text="News",
        dedup_key="test:news",
        tenant=tenant,
        user=stakeholder,
        category=EmailCategory.NEWS,
        news_kind=NewsKind.REMINDERS,
    )
    receipt = email_enqueue(
        recipient=stakeholder.email,
        subject="Receipt",
        body_text="Receipt",
        dedup_key="test:receipt",
        tenant=tenant,
        user=stakeholder,
    )
    assert news.headers == {
        "List-Unsubscribe": f"<{settings.SITE_URL}{_url(stakeholder, tenant)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    assert receipt.headers == {}


def test_news_email_to_unsubscribed_user_is_not_stored_receipt_still_is(stakeholder, tenant):
    NewsPreference.objects.create(user=stakeholder, tenant=tenant, kind=NewsKind.ANNOUNCEMENTS, subscribed=False)
    common = {"recipient": stakeholder.email, "body_text": "Text", "tenant": tenant, "user": stakeholder}
    assert email_enqueue(subject="News", dedup_key="test:news", category=EmailCategory.NEWS, **common) is None
    assert email_enqueue(subject="Receipt", dedup_key="test:receipt", **common) is not None
