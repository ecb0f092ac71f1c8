"""The review in the admin: actions by role, reviewer assignment, internal
comments, and 404 for other tenants."""

import pytest
from django.contrib.admin import helpers
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse

from ocp.enums import OcpStatus
from ocp.models import InternalComment, WorkshopRequest
from tests import factories
from tests.ocp.conftest import make_ocp_edition
from tests.ocp.factories import ContributionFactory, WorkshopRequestFactory

CHANGELIST = "admin:ocp_workshoprequest_changelist"


@pytest.fixture
def submitted(calls, author):
    return WorkshopRequestFactory(
        call=calls["workshop"], owner=author, title="Youth online", status=OcpStatus.SUBMITTED, reference="WKS-1"
    )


@pytest.fixture
def draft(calls, author):
    return WorkshopRequestFactory(call=calls["workshop"], owner=author, title="Not yet", reference="")


def _act(client, action, entries, **extra):
    """Run ``action``; decisions are confirmed at once (``apply``) unless told otherwise."""
    data = {"action": action, helpers.ACTION_CHECKBOX_NAME: [entry.pk for entry in entries], "apply": "1", **extra}
    return client.post(reverse(CHANGELIST), {k: v for k, v in data.items() if v is not None}, follow=True)


def _messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_manager_bulk_accept_reports_changed_and_skipped(
    submitted, draft, manager, admin_client_for, django_capture_on_commit_callbacks
):
    client = admin_client_for(manager)

    with django_capture_on_commit_callbacks(execute=True):
        response = _act(client, "accept", [submitted, draft])

    assert response.status_code == 200
    assert _messages(response) == [
        "Moved to “Accepted”: 1; skipped: 1.",
        f"{draft} cannot go from “Draft” to “Accepted”.",
    ]
    assert WorkshopRequest.objects.get(pk=submitted.pk).status == OcpStatus.ACCEPTED
    assert WorkshopRequest.objects.get(pk=draft.pk).status == OcpStatus.DRAFT
    assert [message.subject for message in mail.outbox] == ["Accepted: WKS-1 - Youth online"]


@pytest.mark.parametrize(
    ("action", "status"),
    [
        ("mark_under_review", OcpStatus.UNDER_REVIEW),
        ("reject", OcpStatus.REJECTED),
        ("request_changes", OcpStatus.CHANGES_REQUESTED),
    ],
)
def test_manager_actions_move_status(submitted, manager, admin_client_for, action, status):
    response = _act(admin_client_for(manager), action, [submitted])
    assert _messages(response) == [f"Moved to “{status.label}”: 1; skipped: 0."]
    assert WorkshopRequest.objects.get(pk=submitted.pk).status == status


def test_decision_asks_for_a_message_first_and_changes_nothing(submitted, manager, admin_client_for):
    response = _act(admin_client_for(manager), "request_changes", [submitted], apply=None)

    assert response.status_code == 200
    assert [template.name for template in response.templates][0] == "admin/ocp/review_decision.html"
    assert list(response.context["entries"]) == [submitted]
    assert WorkshopRequest.objects.get(pk=submitted.pk).status == OcpStatus.SUBMITTED
    assert mail.outbox == []


def test_decision_message_is_quoted_in_the_email(
    submitted, manager, admin_client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _act(admin_client_for(manager), "request_changes", [submitted], note="Please name a moderator.")

    assert WorkshopRequest.objects.get(pk=submitted.pk).status == OcpStatus.CHANGES_REQUESTED
    assert [message.subject for message in mail.outbox] == ["Changes requested: WKS-1 - Youth online"]
    assert "Message from the secretariat:\nPlease name a moderator.\n" in mail.outbox[0].body


def test_reviewer_sees_only_under_review_action(submitted, reviewer, admin_client_for):
    response = admin_client_for(reviewer).get(reverse(CHANGELIST))
    actions = [name for name, _label in response.context["action_form"].fields["action"].choices if name]
    assert actions == ["mark_under_review"]


def test_reviewer_may_mark_under_review(submitted, reviewer, admin_client_for):
    _act(admin_client_for(reviewer), "mark_under_review", [submitted])
    assert WorkshopRequest.objects.get(pk=submitted.pk).status == OcpStatus.UNDER_REVIEW


def test_reviewer_posting_accept_changes_nothing(submitted, reviewer, admin_client_for):
    _act(admin_client_for(reviewer), "accept", [submitted])
    assert WorkshopRequest.objects.get(pk=submitted.pk).status == OcpStatus.SUBMITTED
    assert mail.outbox == []


def test_viewer_has_no_actions_and_posting_one_changes_nothing(submitted, viewer, admin_client_for):
    client = admin_client_for(viewer)
    response = client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    assert (
        response.context["action_form"] is None
        or [name for name, _label in response.context["action_form"].fields["action"].choices if name] == []
    )
    _act(client, "mark_under_review", [submitted])
    assert WorkshopRequest.objects.get(pk=submitted.pk).status == OcpStatus.SUBMITTED


def test_other_tenant_manager_gets_404_and_action_leaves_entry(submitted, other_manager, admin_client_for):
    client = admin_client_for(other_manager)
    assert client.get(reverse("admin:ocp_workshoprequest_change", args=[submitted.pk])).status_code == 404
    _act(client, "accept", [submitted])
    assert WorkshopRequest.objects.get(pk=submitted.pk).status == OcpStatus.SUBMITTED


def test_assignment_choices_are_the_tenants_managers_and_reviewers(
    submitted, manager, reviewer, viewer, expert, other_manager, author, admin_client_for
):
    other_reviewer = factories.UserFactory(email="other-reviewer@example.org", is_staff=True)
    factories.MembershipFactory(tenant=other_manager.memberships.get().tenant, user=other_reviewer, role="reviewer")

    response = admin_client_for(manager).get(reverse("admin:ocp_workshoprequest_change", args=[submitted.pk]))

    field = response.context["adminform"].form.fields["reviewers"]
    assert list(field.queryset) == [manager, reviewer]


def test_manager_assigns_reviewer_in_the_admin(submitted, manager, reviewer, admin_client_for):
    submitted.reviewers.add(reviewer)
    response = admin_client_for(reviewer).get(reverse(CHANGELIST) + "?assigned=me")
    assert [entry.pk for entry in response.context["cl"].result_list] == [submitted.pk]


def _comment_url(entry):
    return reverse(f"admin:ocp_{entry._meta.model_name}_comment", args=[entry.pk])


def test_reviewer_adds_internal_comment_on_read_only_page(calls, author, reviewer, admin_client_for):
    contribution = ContributionFactory(
        call=calls["ocp_contribution"], owner=author, thematic_aspects="Original", status=OcpStatus.SUBMITTED
    )
    client = admin_client_for(reviewer)
    change_url = reverse("admin:ocp_contribution_change", args=[contribution.pk])
    page = client.get(change_url)
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert page.context["comment_url"] == _comment_url(contribution)

    response = client.post(_comment_url(contribution), {"text": "  Strong on format ideas.  "})

    assert (response.status_code, response["Location"]) == (302, change_url)
    comment = InternalComment.objects.get()
    assert (comment.text, comment.author, comment.tenant_id, comment.entry) == (
        "Strong on format ideas.",
        reviewer,
        contribution.tenant_id,
        contribution,
    )
    page = client.get(change_url)
    assert "Strong on format ideas." in page.content.decode()
    assert "reviewer@example.org" in page.content.decode()


def test_empty_comment_is_refused_with_message(calls, author, manager, admin_client_for):
    contribution = ContributionFactory(call=calls["ocp_contribution"], owner=author, status=OcpStatus.SUBMITTED)
    response = admin_client_for(manager).post(_comment_url(contribution), {"text": "   "}, follow=True)
    assert _messages(response) == ["Please write a comment."]
    assert InternalComment.objects.count() == 0


def test_viewer_sees_comments_but_may_not_comment(calls, author, manager, viewer, admin_client_for):
    contribution = ContributionFactory(call=calls["ocp_contribution"], owner=author, status=OcpStatus.SUBMITTED)
    InternalComment.objects.create(tenant=contribution.tenant, entry=contribution, author=manager, text="Looks fine")
    client = admin_client_for(viewer)
    page = client.get(reverse("admin:ocp_contribution_change", args=[contribution.pk]))
    assert "Looks fine" in page.content.decode()
    assert "comment_url" not in page.context

    response = client.post(_comment_url(contribution), {"text": "Sneaky"})

    assert response.status_code == 403
    assert InternalComment.objects.count() == 1


def test_other_tenant_manager_comment_answers_404(calls, author, other_manager, admin_client_for):
    contribution = ContributionFactory(call=calls["ocp_contribution"], owner=author, status=OcpStatus.SUBMITTED)
    response = admin_client_for(other_manager).post(_comment_url(contribution), {"text": "Hello"})
    assert response.status_code == 404
    assert InternalComment.objects.count() == 0


def test_change_page_lists_status_changes(submitted, manager, admin_client_for):
    from ocp.review import entry_transition

    entry_transition(entry=submitted, to_status=OcpStatus.UNDER_REVIEW, by=manager, note="Taking it")
    page = admin_client_for(manager).get(reverse("admin:ocp_workshoprequest_change", args=[submitted.pk]))
    assert "Submitted → Under review · manager@example.org · Taking it" in page.content.decode()


def test_internal_comments_never_reach_the_stakeholder(submitted, author, manager, client):
    InternalComment.objects.create(
        tenant=submitted.tenant, entry=submitted, author=manager, text="Secretariat only: weak speakers"
    )
    client.force_login(author)
    pages = [
        submitted.get_absolute_url(),
        reverse("ocp:overview", kwargs={"tenant_slug": submitted.tenant.slug}),
        reverse("accounts:my_submissions") if _has_url("accounts:my_submissions") else None,
    ]
    for url in filter(None, pages):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Secretariat only" not in response.content.decode(), url


def _has_url(name):
    from django.urls import NoReverseMatch

    try:
        reverse(name)
    except NoReverseMatch:
        return False
    return True


def test_other_tenant_entries_never_in_assigned_filter(other_tenant, other_manager, manager, admin_client_for):
    edition = make_ocp_edition(other_tenant)
    foreign = WorkshopRequestFactory(call=edition.calls.get(kind="workshop"), status=OcpStatus.SUBMITTED)
    foreign.reviewers.add(manager)
    response = admin_client_for(manager).get(reverse(CHANGELIST) + "?assigned=me")
    assert list(response.context["cl"].result_list) == []


def test_region_and_country_filters(calls, author, other_author, manager, admin_client_for):
    from wsis_portal.reference.models import Region

    africa, americas = Region.objects.get(name="Africa"), Region.objects.get(name="Americas")
    african_code, american_code = "KE", "PE"
    africa.countries, americas.countries = [african_code, "GH"], [american_code]
    africa.save()
    americas.save()
    author.organisation.country = african_code
    author.organisation.save()
    other_author.organisation.country = american_code
    other_author.organisation.save()
    ours = WorkshopRequestFactory(call=calls["workshop"], owner=author)
    theirs = WorkshopRequestFactory(call=calls["workshop"], owner=other_author)
    client = admin_client_for(manager)

    by_region = client.get(reverse(CHANGELIST) + f"?region={africa.pk}")
    by_country = client.get(reverse(CHANGELIST) + f"?country={american_code}")

    assert [entry.pk for entry in by_region.context["cl"].result_list] == [ours.pk]
    assert [entry.pk for entry in by_country.context["cl"].result_list] == [theirs.pk]
