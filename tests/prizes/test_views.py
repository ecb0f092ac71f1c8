"""The stakeholder pages: allowed, denied, other tenant (404), another
person's entry (404), anonymous (login), the step forms and their messages,
deadlines, and query counts."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from prizes.models import PrizeEntry
from prizes.services import special_prize_add
from tests.prizes.conftest import DEADLINE, make_prizes_edition
from tests.prizes.factories import WORDS_170, PrizeEntryFactory, complete_values
from wsis_portal.editions.enums import CallKind
from wsis_portal.reference.models import SustainableDevelopmentGoal


def _url(name, entry, **kwargs):
    return reverse(f"prizes:{name}", kwargs={"tenant_slug": entry.tenant.slug, "pk": entry.pk, **kwargs})


def _step(entry, step):
    return _url("step", entry, step=step)


@pytest.fixture
def entry(call, contest, author):
    return PrizeEntryFactory(call=call, owner=author, title="Rural schools online")


@pytest.fixture
def complete_entry(call, categories, author):
    entry = PrizeEntryFactory(call=call, owner=author, **complete_values(categories[0], author.stakeholder_type))
    entry.sdgs.set(SustainableDevelopmentGoal.objects.filter(number=4))
    return entry


@pytest.fixture
def other_tenant_entry(other_tenant, author):
    """The same person's entry in another tenant."""
    edition = make_prizes_edition(other_tenant)
    return PrizeEntryFactory(call=edition.calls.get(kind=CallKind.PRIZES), owner=author, title="Elsewhere")


def _entry_urls(entry):
    return {
        "review": ("get", _url("review", entry)),
        "step": ("get", _step(entry, "basics")),
        "autosave": ("post", _url("autosave", entry, step="basics")),
        "submit": ("post", _url("submit", entry)),
        "withdraw": ("post", _url("withdraw", entry)),
    }


# --- access ------------------------------------------------------------------


def test_every_entry_view_sends_anonymous_to_login(client, entry):
    for name, (method, url) in _entry_urls(entry).items():
        response = getattr(client, method)(url)
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("account_login")), name


def test_every_entry_view_answers_404_for_another_persons_entry(client, entry, other_author):
    client.force_login(other_author)
    statuses = {name: getattr(client, method)(url).status_code for name, (method, url) in _entry_urls(entry).items()}
    assert statuses == dict.fromkeys(statuses, 404)


def test_every_entry_view_answers_404_for_another_tenants_entry(client, contest, other_tenant_entry, author):
    client.force_login(author)
    statuses = {}
    for name, (method, url) in _entry_urls(other_tenant_entry).items():
        statuses[name] = getattr(client, method)(url.replace("/regional/", "/wsis/")).status_code
    assert statuses == dict.fromkeys(statuses, 404)
    assert PrizeEntry.objects.get(pk=other_tenant_entry.pk).status == "draft"


def test_every_entry_view_allows_the_owner(client, entry, author):
    client.force_login(author)
    assert client.get(_url("review", entry)).status_code == 200
    for step in ["basics", "descriptions", "impact", "links"]:
        assert client.get(_step(entry, step)).status_code == 200, step


def test_unknown_step_answers_404(client, entry, author):
    client.force_login(author)
    assert client.get(_step(entry, "nowhere")).status_code == 404


# --- overview ------------------------------------------------------------------


def test_overview_shows_phases_in_geneva_time_categories_and_criteria(client, contest):
    special_prize_add(contest=contest, name="Healthy Ageing Innovation")

    response = client.get("/wsis/prizes/")

    content = response.content.decode()
    assert response.status_code == 200
    assert [row.phase.key for row in response.context["phases"]] == [
        "submission",
        "nomination",
        "voting",
        "selection",
        "announcement",
    ]
    assert "25 January 2021, 23:00 Geneva time (UTC+1)" in content
    assert len(response.context["categories"]) == 19
    assert "Special prize: Healthy Ageing Innovation" in content
    assert "Potential for replication" in content
    assert "Log in to enter a project" in content


def test_overview_shows_only_own_entries_of_this_tenant(client, entry, other_tenant_entry, other_author, call):
    PrizeEntryFactory(call=call, owner=other_author, title="Someone else's")
    client.force_login(entry.owner)

    content = client.get("/wsis/prizes/").content.decode()

    assert "Rural schools online" in content
    assert "Someone else&#x27;s" not in content
    assert "Elsewhere" not in content


def test_overview_without_contest(client, edition):
    response = client.get("/wsis/prizes/")
    assert response.status_code == 200
    assert "have not been announced yet" in response.content.decode()


def test_overview_of_tenant_without_edition(client, tenant):
    response = client.get("/wsis/prizes/")
    assert (response.status_code, response.context["contest"]) == (200, None)


@pytest.mark.parametrize("rows", [1, 50])
def test_overview_query_count(client, call, contest, author, django_assert_max_num_queries, rows):
    for index in range(rows):
        PrizeEntryFactory(call=call, owner=author, title=f"Project {index}")
    client.force_login(author)

    with django_assert_max_num_queries(14):
        response = client.get("/wsis/prizes/")

    assert len(response.context["entries"]) == rows


@pytest.mark.parametrize("rows", [1, 50])
def test_my_submissions_lists_prize_entries_with_few_queries(
    client, call, contest, author, django_assert_max_num_queries, rows
):
    for index in range(rows):
        PrizeEntryFactory(call=call, owner=author, title=f"Project {index}")
    client.force_login(author)

    with django_assert_max_num_queries(40):
        response = client.get("/wsis/my-submissions/")

    content = response.content.decode()
    assert "Project 0" in content
    assert reverse("prizes:review", kwargs={"tenant_slug": "wsis", "pk": PrizeEntry.objects.first().pk}) in content


# --- start ---------------------------------------------------------------------


def test_start_creates_draft_and_opens_first_step(client, contest, author):
    client.force_login(author)

    response = client.post("/wsis/prizes/entries/new/")

    entry = PrizeEntry.objects.get()
    assert (response.status_code, response["Location"]) == (302, _step(entry, "basics"))
    assert (entry.owner, entry.status) == (author, "draft")


def test_start_with_incomplete_profile_goes_to_profile(client, contest, stakeholder):
    client.force_login(stakeholder)
    response = client.post("/wsis/prizes/entries/new/")
    assert (response.status_code, response["Location"]) == (302, reverse("accounts:profile"))
    assert PrizeEntry.objects.count() == 0


def test_start_anonymous_goes_to_login(client, contest):
    response = client.post("/wsis/prizes/entries/new/")
    assert response["Location"].startswith(reverse("account_login"))


def test_start_with_another_tenants_category_answers_404(client, contest, other_tenant, author):
    from prizes.services import contest_ensure

    other_category = contest_ensure(edition=make_prizes_edition(other_tenant)).categories.first()
    client.force_login(author)

    assert client.post("/wsis/prizes/entries/new/", {"category": other_category.pk}).status_code == 404
    assert PrizeEntry.objects.count() == 0


def test_start_by_get_is_refused(client, contest, author):
    client.force_login(author)
    assert client.get("/wsis/prizes/entries/new/").status_code == 405


def test_start_after_deadline_is_refused_with_message(client, contest, author):
    client.force_login(author)
    with time_machine.travel(DEADLINE, tick=False):
        response = client.post("/wsis/prizes/entries/new/", follow=True)
    assert PrizeEntry.objects.count() == 0
    assert "deadline passed" in response.content.decode()


# --- steps ---------------------------------------------------------------------


def test_step_offers_only_active_categories_of_this_contest(client, entry, author, contest, categories, other_tenant):
    from prizes.services import contest_ensure

    contest_ensure(edition=make_prizes_edition(other_tenant))
    categories[5].active = False
    categories[5].save()
    client.force_login(author)

    response = client.get(_step(entry, "basics"))

    offered = list(response.context["form"].fields["category"].queryset)
    assert len(offered) == 17
    assert categories[5] not in offered


def test_save_basics_and_continue(client, entry, author, categories):
    client.force_login(author)

    response = client.post(
        _step(entry, "basics"),
        {"category": categories[3].pk, "title": "Schools", "country": "KE", "action": "continue"},
    )

    assert (response.status_code, response["Location"]) == (302, _step(entry, "descriptions"))
    entry.refresh_from_db()
    assert (entry.category, entry.title) == (categories[3], "Schools")


def test_category_in_use_is_refused_next_to_the_field_and_rest_is_kept(
    client, call, entry, author, colleague, categories
):
    PrizeEntryFactory(call=call, owner=colleague, category=categories[0])
    client.force_login(author)

    response = client.post(
        _step(entry, "basics"), {"category": categories[0].pk, "title": "Kept title", "action": "save"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["category"] == [
        "Your organisation already has an entry in this category: each organisation may enter one project "
        "per category. Choose another category, or withdraw the other entry first."
    ]
    assert "Your organisation already has an entry in this category" in response.content.decode()
    entry.refresh_from_db()
    assert (entry.category, entry.title) == (None, "Kept title")


def test_short_description_over_200_words_is_refused_in_the_form(client, entry, author):
    client.force_login(author)

    response = client.post(
        _step(entry, "descriptions"),
        {"short_description": " ".join(["word"] * 201), "full_description": "Full", "action": "save"},
    )

    assert response.context["form"].errors["short_description"] == [
        "Please shorten this to 200 words or fewer (it has 201)."
    ]
    entry.refresh_from_db()
    assert (entry.short_description, entry.full_description) == ("", "Full")


def test_short_description_field_carries_the_word_counter(client, entry, author):
    client.force_login(author)
    content = client.get(_step(entry, "descriptions")).content.decode()
    assert 'data-word-limit="200"' in content
    assert 'data-word-minimum="150"' in content


def test_short_description_under_150_words_is_kept_as_draft_and_listed(client, entry, author):
    client.force_login(author)
    client.post(_step(entry, "descriptions"), {"short_description": "A start.", "action": "save"})

    response = client.get(_url("review", entry))

    entry.refresh_from_db()
    assert entry.short_description == "A start."
    labels = [label for label, _url_ in response.context["missing"]]
    assert "short description of 150 to 200 words (it has 2)" in labels


def test_autosave_saves_valid_fields_and_answers_json(client, entry, author):
    client.force_login(author)

    response = client.post(_url("autosave", entry, step="descriptions"), {"full_description": "Typed"})

    assert response.status_code == 200
    assert response.json()["fields"] == ["full_description"]
    entry.refresh_from_db()
    assert entry.full_description == "Typed"


def test_step_after_deadline_sends_to_review(client, entry, author):
    client.force_login(author)
    with time_machine.travel(DEADLINE, tick=False):
        response = client.get(_step(entry, "basics"))
    assert (response.status_code, response["Location"]) == (302, _url("review", entry))


# --- review, submit, withdraw ----------------------------------------------------


def test_review_lists_missing_items_with_links_to_their_steps(client, entry, author):
    client.force_login(author)

    response = client.get(_url("review", entry))

    missing = dict(response.context["missing"])
    assert missing["category"] == _step(entry, "basics")
    assert missing["at least one Sustainable Development Goal"] == _step(entry, "impact")
    assert response.context["can_submit"] is True


def test_submit_incomplete_is_refused_with_the_list(client, entry, author):
    client.force_login(author)

    response = client.post(_url("submit", entry), follow=True)

    content = response.content.decode()
    assert "Please complete the following before submitting." in content
    assert "confirmation that the entry is in English" in content
    assert PrizeEntry.objects.get(pk=entry.pk).status == "draft"


@pytest.mark.parametrize(
    ("moment", "status"),
    [
        (DEADLINE - dt.timedelta(seconds=1), "submitted"),
        (DEADLINE, "draft"),
        (DEADLINE + dt.timedelta(seconds=1), "draft"),
    ],
)
def test_submit_around_the_deadline(client, complete_entry, author, moment, status):
    client.force_login(author)
    with time_machine.travel(moment, tick=False):
        response = client.post(_url("submit", complete_entry), follow=True)
    assert PrizeEntry.objects.get(pk=complete_entry.pk).status == status
    if status == "submitted":
        assert "Your reference is PRZ-2021-00001" in response.content.decode()
    else:
        assert "deadline passed" in response.content.decode()


def test_withdraw_submitted_entry(client, complete_entry, author):
    client.force_login(author)
    client.post(_url("submit", complete_entry))

    response = client.post(_url("withdraw", complete_entry), follow=True)

    assert PrizeEntry.objects.get(pk=complete_entry.pk).status == "withdrawn"
    assert "Withdrawn." in response.content.decode()


def test_review_shows_entered_values(client, complete_entry, author):
    client.force_login(author)
    content = client.get(_url("review", complete_entry)).content.decode()
    assert "Connecting rural schools" in content
    assert "Kenya" in content
    assert WORDS_170[:40] in content


def test_same_project_in_a_second_category_is_refused_next_to_the_title(
    client, call, entry, author, colleague, categories
):
    PrizeEntryFactory(call=call, owner=colleague, category=categories[0], title="Rural Schools")
    client.force_login(author)

    response = client.post(
        _step(entry, "basics"), {"category": categories[1].pk, "title": "rural schools", "action": "save"}
    )

    assert response.context["form"].errors["title"] == [
        f"Your organisation already entered a project with this title in “{categories[0]}”: "
        "a project may be entered in one category only."
    ]
    entry.refresh_from_db()
    assert (entry.category, entry.title) == (categories[1], "Rural schools online")


def test_start_in_a_chosen_category(client, contest, categories, author):
    client.force_login(author)

    client.post("/wsis/prizes/entries/new/", {"category": categories[4].pk})

    assert PrizeEntry.objects.get().category == categories[4]


def test_start_in_a_category_in_use_is_refused_with_the_quota_message(
    client, call, contest, categories, author, colleague
):
    PrizeEntryFactory(call=call, owner=colleague, category=categories[4])
    client.force_login(author)

    response = client.post("/wsis/prizes/entries/new/", {"category": categories[4].pk}, follow=True)

    assert PrizeEntry.objects.count() == 1
    assert "Your organisation already has an entry in this category" in response.content.decode()


def test_overview_offers_only_categories_the_organisation_has_not_used(
    client, call, contest, categories, author, colleague
):
    PrizeEntryFactory(call=call, owner=colleague, category=categories[0])
    client.force_login(author)

    content = client.get("/wsis/prizes/").content.decode()

    assert f'<option value="{categories[0].pk}">' not in content
    assert f'<option value="{categories[1].pk}">' in content


def _png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "navy").save(buffer, format="PNG")
    return buffer.getvalue()


def test_links_step_saves_an_image(client, entry, author, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    client.force_login(author)

    client.post(
        _step(entry, "links"),
        {"website": "schools.example.org", "image": SimpleUploadedFile("clinic.png", _png(), "image/png")},
    )

    entry.refresh_from_db()
    assert entry.image.name.startswith("prizes/images/")
    assert entry.website == "https://schools.example.org"


def test_links_step_refuses_image_over_5_mb_and_wrong_extension(client, entry, author, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    client.force_login(author)
    big = _png() + b"\0" * (5 * 1024 * 1024)

    response = client.post(
        _step(entry, "links"),
        {
            "image": SimpleUploadedFile("big.png", big, "image/png"),
            "second_image": SimpleUploadedFile("photo.gif", _png(), "image/gif"),
        },
    )

    errors = response.context["form"].errors
    assert errors["image"] == ["Please choose a file of at most 5.0\xa0MB."]
    assert "second_image" in errors
    entry.refresh_from_db()
    assert (entry.image.name, entry.second_image.name) == ("", "")
