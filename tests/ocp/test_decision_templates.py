# ruff: noqa: F811  (fixtures imported from another test module are used as parameters)
"""The secretariat's own wording of the decision emails: chosen by decision
and the owner's language (else for every language, else the portal's
wording), placeholders filled in, bad placeholders refused next to the field,
and each tenant's wording for its own entries only."""

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from ocp.enums import OcpStatus
from ocp.models import DecisionEmailTemplate
from ocp.review import entry_transition
from tests.ocp.test_review import workshop  # noqa: F401


def _template(tenant, *, language="", decision=OcpStatus.ACCEPTED, subject="Accepted: $title", body=""):
    return DecisionEmailTemplate.objects.create(
        tenant=tenant,
        decision=decision,
        language=language,
        subject=subject,
        body=body or "Dear $name,\n$kind $reference ($edition) is in.\n$note\n$link\nCost: 5 $$",
    )


def _decide(entry, manager, capture, *, to_status=OcpStatus.ACCEPTED, note=""):
    with capture(execute=True):
        entry_transition(entry=entry, to_status=to_status, by=manager, note=note)
    return mail.outbox[-1]


def test_tenant_wording_replaces_the_portal_wording(workshop, manager, django_capture_on_commit_callbacks):
    _template(workshop.tenant)

    message = _decide(workshop, manager, django_capture_on_commit_callbacks, note="Room C1.")

    assert message.subject == "Accepted: Youth online"
    assert message.body == (
        "Dear Amina Mwangi,\nworkshop request WKS-2021-00007 (WSIS Forum 2021) is in.\nRoom C1.\n"
        f"{settings.SITE_URL}{workshop.get_absolute_url()}\nCost: 5 $"
    )


@pytest.mark.parametrize(
    ("language", "subject"), [("fr", "Acceptée : Youth online"), ("es", "Any language: Youth online")]
)
def test_owners_language_first_then_every_language(
    workshop, author, manager, django_capture_on_commit_callbacks, language, subject
):
    _template(workshop.tenant, subject="Any language: $title")
    _template(workshop.tenant, language="fr", subject="Acceptée : $title")
    author.preferred_language = language
    author.save()

    assert _decide(workshop, manager, django_capture_on_commit_callbacks).subject == subject


def test_other_decisions_and_other_tenants_keep_the_portal_wording(
    workshop,
    other_tenant,
    manager,
    django_capture_on_commit_callbacks,
):
    _template(workshop.tenant, decision=OcpStatus.REJECTED, subject="Rejected")
    _template(other_tenant, subject="The other forum's wording")

    message = _decide(workshop, manager, django_capture_on_commit_callbacks)

    assert message.subject not in {"Rejected", "The other forum's wording"}
    assert "has been accepted" in message.body


@pytest.mark.parametrize(
    ("field", "text", "error"),
    [
        ("body", "Dear $nmae", "Unknown placeholder: $nmae."),
        ("subject", "Costs 5 $", "A $ sign must start a placeholder; write $$ for the sign itself."),
    ],
)
def test_bad_placeholders_are_refused_next_to_the_field(tenant, field, text, error):
    template = DecisionEmailTemplate(tenant=tenant, decision=OcpStatus.ACCEPTED, subject="Accepted", body="Dear $name")
    setattr(template, field, text)

    with pytest.raises(ValidationError) as refusal:
        template.full_clean()

    assert refusal.value.message_dict == {field: [error]}


def test_admin_form_keeps_what_was_typed_and_shows_the_error(tenant, manager, admin_client_for):
    client = admin_client_for(manager)

    response = client.post(
        reverse("admin:ocp_decisionemailtemplate_add"),
        {"tenant": tenant.pk, "decision": "accepted", "language": "", "subject": "Hello $who", "body": "Dear $name"},
    )

    assert response.status_code == 200
    assert "Unknown placeholder: $who." in response.content.decode()
    assert 'value="Hello $who"' in response.content.decode()
    assert not DecisionEmailTemplate.objects.exists()
