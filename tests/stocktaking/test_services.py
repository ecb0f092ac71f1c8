import pytest
from django.core import mail

from stocktaking import services
from stocktaking.enums import EntryStatus
from stocktaking.models import Entry, EntryCountry
from wsis_portal.notifications.models import OutboxEmail

pytestmark = pytest.mark.django_db


def test_entry_create_derives_country_rows_and_regions(make_entry, africa):
    entry = make_entry(countries=["KE", "FR"])

    assert set(EntryCountry.objects.filter(entry=entry).values_list("country", flat=True)) == {"KE", "FR"}
    assert list(entry.regions.all()) == [africa]


def test_entry_submit_moves_a_complete_draft_to_pending(make_entry, stakeholder):
    entry = make_entry()

    services.entry_submit(entry=entry, by=stakeholder)

    entry.refresh_from_db()
    assert entry.status == EntryStatus.PENDING
    assert entry.submitted_at is not None
    assert entry.history.first().status == EntryStatus.PENDING


def test_entry_submit_refuses_an_incomplete_draft(make_entry, stakeholder):
    entry = make_entry(description="", action_lines=[])

    with pytest.raises(services.ModerationError) as error:
        services.entry_submit(entry=entry, by=stakeholder)

    assert error.value.missing == ["description", "Action Lines"]
    entry.refresh_from_db()
    assert entry.status == EntryStatus.DRAFT


def test_entry_submit_refuses_another_user(make_entry, manager):
    entry = make_entry()

    with pytest.raises(services.ModerationError):
        services.entry_submit(entry=entry, by=manager)


def test_entry_publish_by_manager_publishes_and_emails_the_owner(make_entry, stakeholder, manager):
    entry = make_entry()
    services.entry_submit(entry=entry, by=stakeholder)

    services.entry_publish(entry=entry, by=manager)

    entry.refresh_from_db()
    assert entry.status == EntryStatus.PUBLISHED
    assert entry.published_at is not None
    email = OutboxEmail.objects.get(recipient="stakeholder@example.org")
    assert email.subject == "Published in the WSIS Stocktaking: Digital schools for rural Kenya"
    assert f"/wsis/stocktaking/{entry.pk}/" in email.body_text
    assert f"/wsis/stocktaking/{entry.pk}/" in email.body_html


def test_entry_publish_refuses_a_draft(make_entry, manager):
    entry = make_entry()

    with pytest.raises(services.ModerationError):
        services.entry_publish(entry=entry, by=manager)


def test_entry_publish_refuses_a_stakeholder_and_other_tenants_manager(make_entry, stakeholder, other_manager):
    entry = make_entry()
    services.entry_submit(entry=entry, by=stakeholder)

    for person in (stakeholder, other_manager):
        with pytest.raises(services.ModerationError):
            services.entry_publish(entry=entry, by=person)
    entry.refresh_from_db()
    assert entry.status == EntryStatus.PENDING


def test_entry_reject_emails_the_reason(make_entry, stakeholder, manager, django_capture_on_commit_callbacks):
    entry = make_entry()
    services.entry_submit(entry=entry, by=stakeholder)

    with django_capture_on_commit_callbacks(execute=True):
        services.entry_reject(entry=entry, by=manager, reason="Please describe the results.")

    entry.refresh_from_db()
    assert entry.status == EntryStatus.REJECTED
    assert entry.rejection_reason == "Please describe the results."
    email = OutboxEmail.objects.get(recipient="stakeholder@example.org")
    assert email.subject == "Stocktaking entry not published: Digital schools for rural Kenya"
    assert "Please describe the results." in email.body_text
    assert "Please describe the results." in email.body_html
    assert [message.to for message in mail.outbox] == [["stakeholder@example.org"]]


def test_entry_reject_needs_a_reason(make_entry, stakeholder, manager):
    entry = make_entry()
    services.entry_submit(entry=entry, by=stakeholder)

    with pytest.raises(services.ModerationError):
        services.entry_reject(entry=entry, by=manager, reason="  ")


def test_rejected_entry_can_be_changed_and_submitted_again(make_entry, stakeholder, manager):
    entry = make_entry()
    services.entry_submit(entry=entry, by=stakeholder)
    services.entry_reject(entry=entry, by=manager, reason="Too short.")

    services.entry_update(entry=entry, by=stakeholder, data={"description": "Longer."})
    services.entry_submit(entry=entry, by=stakeholder)

    entry.refresh_from_db()
    assert (entry.status, entry.description) == (EntryStatus.PENDING, "Longer.")


def test_entry_archive_takes_a_published_entry_off(make_entry, stakeholder, manager):
    entry = make_entry()
    services.entry_submit(entry=entry, by=stakeholder)
    services.entry_publish(entry=entry, by=manager)

    services.entry_archive(entry=entry, by=manager)

    entry.refresh_from_db()
    assert entry.status == EntryStatus.ARCHIVED
    with pytest.raises(services.ModerationError):
        services.entry_archive(entry=entry, by=manager)


def test_stale_status_is_a_conflict_not_an_overwrite(make_entry, stakeholder, manager):
    entry = make_entry()
    services.entry_submit(entry=entry, by=stakeholder)
    stale = Entry.objects.get(pk=entry.pk)
    services.entry_publish(entry=entry, by=manager)
    stale.status = EntryStatus.PENDING

    with pytest.raises(services.ModerationConflict):
        services.entry_reject(entry=stale, by=manager, reason="Late")

    entry.refresh_from_db()
    assert entry.status == EntryStatus.PUBLISHED


def _published(make_entry, stakeholder, manager):
    entry = make_entry()
    services.entry_submit(entry=entry, by=stakeholder)
    services.entry_publish(entry=entry, by=manager)
    return entry


def test_edit_of_published_entry_goes_to_a_revision_and_public_text_stays(make_entry, stakeholder, manager):
    entry = _published(make_entry, stakeholder, manager)

    revision = services.entry_update(entry=entry, by=stakeholder, data={"title": "Digital schools, phase 2"})

    entry.refresh_from_db()
    assert revision.revision_of == entry
    assert revision.status == EntryStatus.DRAFT
    assert (entry.title, entry.status) == ("Digital schools for rural Kenya", EntryStatus.PUBLISHED)
    assert list(revision.action_lines.all()) == list(entry.action_lines.all())


def test_publishing_a_revision_applies_it_and_removes_it(make_entry, stakeholder, manager, africa):
    entry = _published(make_entry, stakeholder, manager)
    revision = services.entry_update(
        entry=entry, by=stakeholder, data={"title": "Digital schools, phase 2", "countries": ["NG", "FR"]}
    )
    services.entry_submit(entry=revision, by=stakeholder)

    result = services.entry_publish(entry=revision, by=manager)

    entry.refresh_from_db()
    assert result.pk == entry.pk
    assert (entry.title, entry.status) == ("Digital schools, phase 2", EntryStatus.PUBLISHED)
    assert set(EntryCountry.objects.filter(entry=entry).values_list("country", flat=True)) == {"NG", "FR"}
    assert list(entry.regions.all()) == [africa]
    assert not Entry.objects.filter(pk=revision.pk).exists()
    assert entry.history.first().title == "Digital schools, phase 2"


def test_rejecting_a_revision_keeps_the_published_version(make_entry, stakeholder, manager):
    entry = _published(make_entry, stakeholder, manager)
    revision = services.entry_update(entry=entry, by=stakeholder, data={"title": "Bad title"})
    services.entry_submit(entry=revision, by=stakeholder)

    services.entry_reject(entry=revision, by=manager, reason="No.")

    entry.refresh_from_db()
    assert (entry.title, entry.status) == ("Digital schools for rural Kenya", EntryStatus.PUBLISHED)
    email = OutboxEmail.objects.filter(recipient="stakeholder@example.org").order_by("-pk").first()
    assert email.subject == "Changes not published: Bad title"


def test_pending_revision_cannot_be_edited(make_entry, stakeholder, manager):
    entry = _published(make_entry, stakeholder, manager)
    revision = services.entry_update(entry=entry, by=stakeholder, data={"title": "New"})
    services.entry_submit(entry=revision, by=stakeholder)

    with pytest.raises(services.ModerationError):
        services.entry_update(entry=entry, by=stakeholder, data={"title": "Newer"})
