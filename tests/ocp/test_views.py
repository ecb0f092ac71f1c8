"""The stakeholder pages: allowed, denied, other tenant (404), another
person's draft (404), anonymous (login), and the step forms' behaviour."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from ocp.enums import OcpStatus
from ocp.models import Contribution, HltfNomination, SpeakerRecommendation, WorkshopRequest
from tests.ocp.conftest import DEADLINE, make_ocp_edition
from tests.ocp.factories import (
    ContributionFactory,
    HltfNominationFactory,
    SpeakerFactory,
    SpeakerRecommendationFactory,
    WorkshopRequestFactory,
)
from wsis_portal.reference.models import ActionLine, SessionFormat


def _url(name, entry, **kwargs):
    return reverse(
        f"ocp:{name}", kwargs={"tenant_slug": entry.tenant.slug, "kind": entry.url_kind, "pk": entry.pk, **kwargs}
    )


def _step(entry, step):
    return _url("step", entry, step=step)


@pytest.fixture
def workshop(calls, author):
    return WorkshopRequestFactory(call=calls["workshop"], owner=author, title="Youth online")


@pytest.fixture
def recommendation(calls, author):
    return SpeakerRecommendationFactory(call=calls["speaker"], owner=author, speaker_name="Ana")


@pytest.fixture
def other_tenant_workshop(other_tenant, author):
    """The same person's workshop request in another tenant."""
    edition = make_ocp_edition(other_tenant)
    return WorkshopRequestFactory(call=edition.calls.get(kind="workshop"), owner=author, title="Elsewhere")


def _entry_urls(entry):
    return {
        "review": ("get", _url("review", entry)),
        "step": ("get", _step(entry, "basics")),
        "autosave": ("post", _url("autosave", entry, step="basics")),
        "submit": ("post", _url("submit", entry)),
        "withdraw": ("post", _url("withdraw", entry)),
    }


# --- access ------------------------------------------------------------------


def test_every_entry_view_sends_anonymous_to_login(client, workshop):
    for name, (method, url) in _entry_urls(workshop).items():
        response = getattr(client, method)(url)
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("account_login")), name


def test_every_entry_view_answers_404_for_another_persons_draft(client, workshop, other_author):
    client.force_login(other_author)
    statuses = {name: getattr(client, method)(url).status_code for name, (method, url) in _entry_urls(workshop).items()}
    assert statuses == dict.fromkeys(statuses, 404)


def test_every_entry_view_answers_404_for_another_tenants_entry(client, tenant, edition, other_tenant_workshop, author):
    client.force_login(author)
    statuses = {}
    for name, (method, url) in _entry_urls(other_tenant_workshop).items():
        url = url.replace("/regional/", "/wsis/")
        statuses[name] = getattr(client, method)(url).status_code
    assert statuses == dict.fromkeys(statuses, 404)
    assert WorkshopRequest.objects.get(pk=other_tenant_workshop.pk).status == OcpStatus.DRAFT


def test_unknown_kind_and_step_answer_404(client, workshop, author):
    client.force_login(author)
    assert client.get(f"/wsis/ocp/poem/{workshop.pk}/").status_code == 404
    assert client.get(_step(workshop, "nowhere")).status_code == 404


def test_overview_lists_ocp_calls_with_phases_and_deadline(client, edition):
    response = client.get("/wsis/ocp/")

    assert response.status_code == 200
    assert [item["call"].kind for item in response.context["calls"]] == [
        "ocp_contribution",
        "workshop",
        "exhibition",
        "speaker",
        "hltf",
    ]
    content = response.content.decode()
    assert "25 January 2021, 23:00 Geneva time (UTC+1)" in content
    assert "Log in to take part" in content


def test_overview_shows_only_own_entries_of_this_tenant(client, workshop, other_tenant_workshop, other_author, calls):
    WorkshopRequestFactory(call=calls["workshop"], owner=other_author, title="Someone else's")
    client.force_login(workshop.owner)

    content = client.get("/wsis/ocp/").content.decode()

    assert "Youth online" in content
    assert "Someone else&#x27;s" not in content
    assert "Elsewhere" not in content


def test_overview_of_tenant_without_edition(client, tenant):
    response = client.get("/wsis/ocp/")
    assert response.status_code == 200
    assert response.context["edition"] is None


@pytest.mark.parametrize("rows", [1, 50])
def test_overview_query_count(client, calls, author, django_assert_max_num_queries, rows):
    for index in range(rows):
        WorkshopRequestFactory(call=calls["workshop"], owner=author, title=f"Workshop {index}")
    client.force_login(author)

    # 14, whatever the rows: one asks whether the final brief is published (its
    # link), one whether the visitor's organisation may nominate HLTF facilitators.
    with django_assert_max_num_queries(14):
        response = client.get("/wsis/ocp/")

    assert len(response.context["calls"][1]["entries"]) == rows


# --- start -----------------------------------------------------------------------


def test_start_creates_draft_and_opens_first_step(client, calls, author):
    client.force_login(author)

    response = client.post(f"/wsis/ocp/calls/{calls['workshop'].pk}/new/")

    workshop = WorkshopRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _step(workshop, "basics")
    assert (workshop.owner, workshop.status) == (author, OcpStatus.DRAFT)


def test_start_with_incomplete_profile_goes_to_profile(client, calls, stakeholder):
    client.force_login(stakeholder)

    response = client.post(f"/wsis/ocp/calls/{calls['workshop'].pk}/new/")

    assert (response.status_code, response["Location"]) == (302, reverse("accounts:profile"))
    assert WorkshopRequest.objects.count() == 0


def test_start_anonymous_goes_to_login(client, calls):
    response = client.post(f"/wsis/ocp/calls/{calls['workshop'].pk}/new/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_start_in_another_tenants_call_answers_404(client, edition, other_tenant, author):
    other_call = make_ocp_edition(other_tenant).calls.get(kind="workshop")
    client.force_login(author)

    assert client.post(f"/wsis/ocp/calls/{other_call.pk}/new/").status_code == 404
    assert WorkshopRequest.objects.count() == 0


def test_start_by_get_is_refused(client, calls, author):
    client.force_login(author)
    assert client.get(f"/wsis/ocp/calls/{calls['workshop'].pk}/new/").status_code == 405


def test_start_after_deadline_is_refused_with_message(client, calls, author):
    client.force_login(author)
    with time_machine.travel(DEADLINE, tick=False):
        response = client.post(f"/wsis/ocp/calls/{calls['workshop'].pk}/new/", follow=True)
    assert WorkshopRequest.objects.count() == 0
    assert "deadline passed" in response.content.decode()


# --- steps -----------------------------------------------------------------------


def test_step_shows_form_with_saved_values_and_autosave_url(client, workshop, author):
    client.force_login(author)

    response = client.get(_step(workshop, "basics"))

    assert response.status_code == 200
    assert response.context["form"]["title"].value() == "Youth online"
    assert f'data-autosave-url="{_url("autosave", workshop, step="basics")}"' in response.content.decode()


def test_save_draft_stays_on_step(client, workshop, author):
    client.force_login(author)
    session_format = SessionFormat.objects.order_by("pk").first()

    response = client.post(
        _step(workshop, "basics"),
        {"title": "Youth and AI", "session_format": session_format.pk, "language": "fr", "action": "save"},
    )

    assert (response.status_code, response["Location"]) == (302, _step(workshop, "basics"))
    stored = WorkshopRequest.objects.get(pk=workshop.pk)
    assert (stored.title, stored.session_format, stored.language) == ("Youth and AI", session_format, "fr")


def test_save_and_continue_goes_to_next_step_then_review(client, workshop, author):
    client.force_login(author)

    first = client.post(_step(workshop, "basics"), {"title": "T", "action": "continue"})
    last = client.post(
        _step(workshop, "speakers"),
        {"speakers-TOTAL_FORMS": 0, "speakers-INITIAL_FORMS": 0, "action": "continue"},
    )

    assert first["Location"] == _step(workshop, "content")
    assert last["Location"] == _url("review", workshop)


def test_validation_error_keeps_every_value_and_saves_the_valid_ones(client, calls, author):
    nomination = HltfNominationFactory(call=calls["hltf"], owner=author, nominee_name="")
    client.force_login(author)
    biography = " ".join(["word"] * 151)

    response = client.post(
        _step(nomination, "nominee"),
        {"nominee_name": "Ana Pérez", "nominee_email": "not an email", "biography": biography, "action": "continue"},
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert sorted(form.errors) == ["biography", "nominee_email"]
    assert (form["nominee_email"].value(), form["biography"].value()) == ("not an email", biography)
    stored = HltfNomination.objects.get(pk=nomination.pk)
    assert (stored.nominee_name, stored.nominee_email, stored.biography) == ("Ana Pérez", "", "")
    assert "Please correct the following:" in response.content.decode()


def _png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "navy").save(buffer, format="PNG")
    return buffer.getvalue()


def test_photo_that_is_not_an_image_is_refused(client, calls, author, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    nomination = HltfNominationFactory(call=calls["hltf"], owner=author)
    client.force_login(author)
    photo = SimpleUploadedFile("portrait.png", b"\x89PNG\r\n\x1a\nnot really", content_type="image/png")

    response = client.post(_step(nomination, "nominee"), {"photo": photo, "action": "save"})

    assert response.context["form"].errors["photo"] == [
        "Upload a valid image. The file you uploaded was either not an image or a corrupted image."
    ]
    assert HltfNomination.objects.get(pk=nomination.pk).photo.name == ""


def test_uploaded_photo_is_kept_when_another_field_has_an_error(client, calls, author, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    nomination = HltfNominationFactory(call=calls["hltf"], owner=author)
    client.force_login(author)
    photo = SimpleUploadedFile("portrait.png", _png(), content_type="image/png")

    response = client.post(_step(nomination, "nominee"), {"nominee_email": "broken", "photo": photo, "action": "save"})

    assert response.status_code == 200
    stored = HltfNomination.objects.get(pk=nomination.pk).photo.name
    assert stored.startswith("ocp/hltf-photos/2021/portrait")
    assert f'href="/media/{stored}"' in response.content.decode()  # shown as the stored file
    assert list(response.context["form"].errors) == ["nominee_email"]


def test_too_large_photo_is_refused(client, calls, author, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    nomination = HltfNominationFactory(call=calls["hltf"], owner=author)
    client.force_login(author)
    # A real image, padded after its end to one byte more than 5 MB.
    image = _png()
    photo = SimpleUploadedFile("huge.png", image + b"\0" * (5 * 1024 * 1024 + 1 - len(image)), content_type="image/png")

    response = client.post(_step(nomination, "nominee"), {"photo": photo, "action": "save"})

    assert response.context["form"].errors["photo"] == ["Please choose a file of at most 5.0\xa0MB."]
    assert HltfNomination.objects.get(pk=nomination.pk).photo.name == ""


def test_many_to_many_choices_are_saved(client, calls, author):
    contribution = ContributionFactory(call=calls["ocp_contribution"], owner=author)
    action_lines = list(ActionLine.objects.order_by("pk")[:2])
    client.force_login(author)

    client.post(
        _step(contribution, "themes"),
        {"thematic_aspects": "Trust", "action_lines": [line.pk for line in action_lines], "action": "save"},
    )

    assert list(Contribution.objects.get(pk=contribution.pk).action_lines.order_by("pk")) == action_lines


def test_track_choices_are_only_this_editions(client, workshop, author, other_tenant):
    from tests import factories

    own = factories.TrackFactory(edition=workshop.call.edition, name="ICTs and Youth")
    factories.TrackFactory(edition=make_ocp_edition(other_tenant), name="Secret track")
    client.force_login(author)

    response = client.get(_step(workshop, "basics"))

    assert list(response.context["form"].fields["track"].queryset) == [own]


def test_speakers_formset_adds_speakers(client, workshop, author):
    client.force_login(author)

    response = client.post(
        _step(workshop, "speakers"),
        {
            "speakers-TOTAL_FORMS": 2,
            "speakers-INITIAL_FORMS": 0,
            "speakers-0-name": "Ana",
            "speakers-0-country": "PE",
            "speakers-0-gender": "female",
            "speakers-0-participation": "remote",
            "speakers-1-name": "",
            "speakers-1-participation": "on_site",
            "action": "save",
        },
    )

    assert response.status_code == 302
    assert [(speaker.name, speaker.participation) for speaker in workshop.speakers.all()] == [("Ana", "remote")]


def test_speakers_formset_with_error_saves_nothing_and_keeps_values(client, workshop, author):
    client.force_login(author)

    response = client.post(
        _step(workshop, "speakers"),
        {
            "speakers-TOTAL_FORMS": 2,
            "speakers-INITIAL_FORMS": 0,
            "speakers-0-name": "Ana",
            "speakers-0-participation": "remote",
            "speakers-1-organisation": "No name given",
            "speakers-1-participation": "on_site",
            "action": "save",
        },
    )

    assert response.status_code == 200
    assert response.context["formset"].forms[1]["organisation"].value() == "No name given"
    assert workshop.speakers.count() == 0


def test_step_after_deadline_redirects_to_review_and_saves_nothing(client, recommendation, author):
    client.force_login(author)
    with time_machine.travel(DEADLINE, tick=False):
        response = client.post(_step(recommendation, "recommendation"), {"topic": "Late", "action": "save"})
    assert (response.status_code, response["Location"]) == (302, _url("review", recommendation))
    assert SpeakerRecommendation.objects.get(pk=recommendation.pk).topic == ""


# --- review, submit, withdraw ----------------------------------------------------------


def test_review_lists_missing_with_links_to_steps(client, workshop, author):
    client.force_login(author)

    response = client.get(_url("review", workshop))

    assert response.status_code == 200
    assert response.context["missing"] == [
        ("abstract", _step(workshop, "content")),
        ("session format", _step(workshop, "basics")),
        ("language of the session", _step(workshop, "basics")),
        ("moderator", _step(workshop, "content")),
        ("Action Lines", _step(workshop, "content")),
        ("at least one speaker", _step(workshop, "speakers")),
    ]


def test_review_page_links_every_step(client, workshop, author):
    client.force_login(author)

    content = client.get(_url("review", workshop)).content.decode()

    for number, step in enumerate(["basics", "content", "speakers"], start=1):
        assert f'href="{_step(workshop, step)}">{number}. ' in content


def test_submit_incomplete_shows_refusal_and_keeps_draft(client, workshop, author):
    client.force_login(author)

    response = client.post(_url("submit", workshop), follow=True)

    assert "Please complete the following before submitting." in response.content.decode()
    assert WorkshopRequest.objects.get(pk=workshop.pk).status == OcpStatus.DRAFT


def _complete(workshop):
    WorkshopRequest.objects.filter(pk=workshop.pk).update(
        abstract="Why", session_format=SessionFormat.objects.first(), language="en", moderator_name="Ana"
    )
    workshop.action_lines.add(ActionLine.objects.first())
    SpeakerFactory(workshop=workshop)


def test_submit_complete_gives_reference(client, workshop, author):
    _complete(workshop)
    client.force_login(author)

    response = client.post(_url("submit", workshop), follow=True)

    stored = WorkshopRequest.objects.get(pk=workshop.pk)
    assert (stored.status, stored.reference) == (OcpStatus.SUBMITTED, "WS-2021-00001")
    assert "WS-2021-00001" in response.content.decode()


def test_submit_after_deadline_is_refused_and_keeps_draft(client, workshop, author):
    _complete(workshop)
    client.force_login(author)
    with time_machine.travel(DEADLINE, tick=False):
        client.post(_url("submit", workshop))
    assert WorkshopRequest.objects.get(pk=workshop.pk).status == OcpStatus.DRAFT


def test_submitted_entry_can_be_edited_and_withdrawn_before_deadline(client, workshop, author):
    _complete(workshop)
    client.force_login(author)
    client.post(_url("submit", workshop))

    edit = client.post(_step(workshop, "basics"), {"title": "Sharper title", "action": "save"})
    withdraw = client.post(_url("withdraw", workshop))

    assert (edit.status_code, withdraw.status_code) == (302, 302)
    stored = WorkshopRequest.objects.get(pk=workshop.pk)
    assert (stored.title, stored.status) == ("Sharper title", OcpStatus.WITHDRAWN)


def test_withdraw_of_a_draft_is_refused(client, workshop, author):
    client.force_login(author)
    response = client.post(_url("withdraw", workshop), follow=True)
    assert "Only a submitted entry can be withdrawn." in response.content.decode()
    assert WorkshopRequest.objects.get(pk=workshop.pk).status == OcpStatus.DRAFT


# --- autosave --------------------------------------------------------------------------


def test_autosave_saves_valid_fields_and_answers_json(client, calls, author):
    nomination = HltfNominationFactory(call=calls["hltf"], owner=author, nominee_name="")
    client.force_login(author)

    response = client.post(
        _url("autosave", nomination, step="nominee"), {"nominee_name": "Ana", "nominee_email": "half@"}
    )

    assert response.status_code == 200
    answer = response.json()
    assert (answer["saved"], answer["fields"], list(answer["errors"])) == (True, ["nominee_name"], ["nominee_email"])
    assert answer["message"] == "Draft saved automatically at 12:00."
    assert HltfNomination.objects.get(pk=nomination.pk).nominee_name == "Ana"


def test_autosave_after_deadline_answers_409(client, recommendation, author):
    client.force_login(author)
    with time_machine.travel(DEADLINE + dt.timedelta(minutes=1), tick=False):
        response = client.post(_url("autosave", recommendation, step="recommendation"), {"topic": "Late"})
    assert (response.status_code, response.json()["saved"]) == (409, False)
    assert SpeakerRecommendation.objects.get(pk=recommendation.pk).topic == ""


def test_autosave_by_get_is_refused(client, recommendation, author):
    client.force_login(author)
    assert client.get(_url("autosave", recommendation, step="recommendation")).status_code == 405


def test_autosave_of_speakers_step_is_refused(client, workshop, author):
    client.force_login(author)
    assert client.post(_url("autosave", workshop, step="speakers"), {}).status_code == 400


def test_tenant_home_links_to_the_ocp_page(client, edition):
    content = client.get("/wsis/").content.decode()
    assert 'href="/wsis/ocp/"' in content


@pytest.mark.parametrize("rows", [1, 50])
def test_my_submissions_with_ocp_entries_query_count(client, calls, author, django_assert_max_num_queries, rows):
    for index in range(rows):
        WorkshopRequestFactory(call=calls["workshop"], owner=author, title=f"Workshop {index}")
        HltfNominationFactory(call=calls["hltf"], owner=author, nominee_name=f"Nominee {index}")
    client.force_login(author)

    with django_assert_max_num_queries(QUERIES_MY_SUBMISSIONS):
        response = client.get("/wsis/my-submissions/")

    assert len(response.context["submissions"]) == 2 * rows
    assert response.content.decode().count('href="/wsis/ocp/workshop/') == rows


# Session, user, tenant, one query per kind of submission (6), phases and
# extensions for the two kinds with rows (4): the same for 1 and for 50 rows.
QUERIES_MY_SUBMISSIONS = 13
