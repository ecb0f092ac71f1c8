"""The admin walked model by model: staff of tenant A cannot list, open,
change, delete, see in history, autocomplete, pick as a choice or act on
anything of tenant B, and another tenant's object answers 404, never 403.

Every registered ModelAdmin is covered: ``tests/tenants/admin_map.py`` must
classify each one, and tenant-owned models need a factory there.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.contenttypes.models import ContentType
from django_scopes import scope

from tests.tenants.admin_map import (
    NEVER_DELETED,
    OBJECT_VIEWS,
    PLATFORM_ONLY,
    REFERENCE_DATA,
    REGISTRY,
    TENANT_OWNED,
    TENANT_OWNED_LABELS,
    TENANT_STAFF_ACCOUNTS,
    WITHOUT_ACTIONS,
    admin_of,
    admin_url,
    assert_choices_only_of,
    exists,
    incoming_relations,
    leaks,
    model_of,
    pair_for,
    pks_of,
    request_as,
    snapshot,
)
from tests.tenants.conftest import SECRET
from wsis_portal.accounts.models import User
from wsis_portal.tenants.admin import (
    PlatformAdmin,
    ReferenceDataAdmin,
    TenantScopedAdmin,
    TenantScopedInlineMixin,
)
from wsis_portal.tenants.models import Tenant
from wsis_portal.tenants.scoping import is_tenant_owned, tenant_path_of

MANAGEMENT_FIELDS = ["TOTAL_FORMS", "INITIAL_FORMS"]

# Every (target, source model, field) through which the autocomplete endpoint
# can search a tenant-owned model: any relation pointing at it will do, whether
# or not an admin declares it in autocomplete_fields.
AUTOCOMPLETE_ROUTES = [
    (label, source, field) for label in TENANT_OWNED_LABELS for source, field in incoming_relations(model_of(label))
]

# Every action of every tenant-scoped admin (site-wide ones such as
# delete_selected included), without asking a request which are allowed.
ACTIONS = [(label, name) for label in TENANT_OWNED_LABELS for _, name, _ in admin_of(label)._get_base_actions()]


# --- the registry ------------------------------------------------------------


def test_registry_every_model_admin_is_classified():
    classified = set(TENANT_OWNED) | set(PLATFORM_ONLY) | set(REFERENCE_DATA) | TENANT_STAFF_ACCOUNTS
    unclassified = sorted(set(REGISTRY) - classified)
    assert unclassified == [], "classify these models in tests/tenants/admin_map.py"
    assert sorted(classified - set(REGISTRY)) == []


@pytest.mark.parametrize("label", list(REGISTRY))
def test_registry_admin_base_matches_ownership(label):
    model, model_admin = REGISTRY[label]
    if label in TENANT_OWNED:
        assert is_tenant_owned(model)
        assert isinstance(model_admin, TenantScopedAdmin)
        assert [inline for inline in model_admin.inlines if not issubclass(inline, TenantScopedInlineMixin)] == []
    elif label in REFERENCE_DATA:
        assert tenant_path_of(model) is None
        assert isinstance(model_admin, ReferenceDataAdmin)
    elif label in PLATFORM_ONLY:
        assert not is_tenant_owned(model)
        assert isinstance(model_admin, PlatformAdmin)
        assert not isinstance(model_admin, ReferenceDataAdmin)
    else:
        assert label in TENANT_STAFF_ACCOUNTS
        assert tenant_path_of(model) is None
        assert isinstance(model_admin, PlatformAdmin)


def test_scoped_models_declare_their_tenant_path():
    # A model with a django-scopes manager but no tenant path would be left
    # unfiltered by the admin (only the scope would stand in the way).
    scoped = [
        model._meta.label
        for model in apps.get_models()
        if type(model._default_manager).__qualname__.startswith("ScopedManager.")
    ]
    assert [label for label in scoped if tenant_path_of(apps.get_model(label)) is None] == []
    assert "tenants.Membership" in scoped


@pytest.mark.parametrize("label", TENANT_OWNED_LABELS)
def test_scope_and_tenant_path_select_the_same_objects(label, tenant, tenant_objects):
    model = model_of(label)
    pair_for(tenant_objects, label)
    with scope(tenant=[tenant.pk]):
        scoped = set(model.objects.values_list("pk", flat=True))
    assert scoped == pks_of(model, tenant)


# --- lists, object pages, history ---------------------------------------------


@pytest.mark.parametrize("label", TENANT_OWNED_LABELS)
def test_changelist_lists_exactly_own_tenant_objects(label, tenant, tenant_objects, manager_client):
    model = model_of(label)
    pair = pair_for(tenant_objects, label)
    expected = pks_of(model, tenant)

    response = manager_client.get(admin_url(model, "changelist"))

    assert response.status_code == 200
    changelist = response.context["cl"]
    assert pair.ours.pk in expected
    assert {obj.pk for obj in changelist.result_list} == expected
    assert (changelist.result_count, changelist.full_result_count) == (len(expected), len(expected))


@pytest.mark.parametrize("label", [label for label in TENANT_OWNED_LABELS if admin_of(label).search_fields])
def test_changelist_search_for_other_tenant_text_finds_nothing(label, tenant, tenant_objects, manager_client):
    model = model_of(label)
    pair_for(tenant_objects, label)

    response = manager_client.get(admin_url(model, "changelist"), {"q": SECRET})

    assert response.status_code == 200
    changelist = response.context["cl"]
    assert list(changelist.result_list) == []
    assert (changelist.result_count, changelist.full_result_count) == (0, len(pks_of(model, tenant)))


@pytest.mark.parametrize("view", OBJECT_VIEWS)
@pytest.mark.parametrize("label", TENANT_OWNED_LABELS)
def test_object_page_of_other_tenant_answers_404(label, view, tenant_objects, manager_client):
    pair = pair_for(tenant_objects, label)

    assert manager_client.get(admin_url(pair.theirs, view)).status_code == 404
    own = 403 if view == "delete" and label in NEVER_DELETED else 200
    assert manager_client.get(admin_url(pair.ours, view)).status_code == own


@pytest.mark.parametrize("label", TENANT_OWNED_LABELS)
def test_change_post_to_other_tenant_object_answers_404_and_changes_nothing(label, tenant_objects, manager_client):
    pair = pair_for(tenant_objects, label)
    before = snapshot(pair.theirs)

    response = manager_client.post(admin_url(pair.theirs, "change"), {})

    assert response.status_code == 404
    assert snapshot(pair.theirs) == before


@pytest.mark.parametrize("label", TENANT_OWNED_LABELS)
def test_delete_post_to_other_tenant_object_answers_404_and_deletes_nothing(label, tenant_objects, manager_client):
    pair = pair_for(tenant_objects, label)

    response = manager_client.post(admin_url(pair.theirs, "delete"), {"post": "yes"})

    assert response.status_code == 404
    assert exists(pair.theirs)


@pytest.mark.parametrize("label", TENANT_OWNED_LABELS)
def test_view_on_site_of_other_tenant_object_answers_404(label, tenant_objects, manager_client):
    pair = pair_for(tenant_objects, label)
    content_type = ContentType.objects.get_for_model(pair.theirs)

    response = manager_client.get(f"/admin/r/{content_type.pk}/{pair.theirs.pk}/")

    assert response.status_code == 404


def test_view_on_site_of_own_edition_redirects_to_it(tenant_objects, manager_client):
    edition = tenant_objects["editions.Edition"].ours
    content_type = ContentType.objects.get_for_model(edition)

    response = manager_client.get(f"/admin/r/{content_type.pk}/{edition.pk}/")

    assert (response.status_code, response["Location"]) == (302, f"http://testserver{edition.get_absolute_url()}")


# --- autocomplete ----------------------------------------------------------------


@pytest.mark.parametrize(("label", "source", "field_name"), AUTOCOMPLETE_ROUTES)
def test_autocomplete_offers_only_own_tenant_objects(label, source, field_name, tenant, tenant_objects, manager_client):
    model = model_of(label)
    pair = pair_for(tenant_objects, label)
    source_model = apps.get_model(source)
    query = {"app_label": source_model._meta.app_label, "model_name": source_model._meta.model_name}

    everything = manager_client.get("/admin/autocomplete/", {**query, "field_name": field_name, "term": ""})
    secret = manager_client.get("/admin/autocomplete/", {**query, "field_name": field_name, "term": SECRET})

    if not source_model._meta.get_field(field_name).concrete:
        # The reverse side of a relation is refused (Django would fail with a 500).
        assert (everything.status_code, secret.status_code) == (403, 403)
        return
    if not admin_of(label).search_fields:
        assert (everything.status_code, secret.status_code) == (404, 404)
        return
    assert (everything.status_code, secret.status_code) == (200, 200)
    found = _every_autocomplete_id(manager_client, {**query, "field_name": field_name, "term": ""})
    assert str(pair.ours.pk) in found
    assert found == {str(pk) for pk in pks_of(model, tenant)}
    assert secret.json()["results"] == []


# --- choices in forms ------------------------------------------------------------


def _every_autocomplete_id(client, query: dict) -> set[str]:
    """The ids on every page of an autocomplete answer (20 a page)."""
    found, page = set(), 1
    while True:
        answer = client.get("/admin/autocomplete/", {**query, "page": page}).json()
        found |= {result["id"] for result in answer["results"]}
        if not answer["pagination"]["more"]:
            return found
        page += 1


@pytest.mark.parametrize("label", list(REGISTRY))
def test_add_form_offers_no_choice_of_other_tenant(label, tenant, tenant_objects, manager, manager_client):
    model, model_admin = REGISTRY[label]
    may_add = model_admin.has_add_permission(request_as(manager))

    response = manager_client.get(admin_url(model, "add"))

    assert response.status_code == (200 if may_add else 403)
    if may_add:
        checked = assert_choices_only_of(tenant, response)
        assert checked != [], "a tenant-owned add form without a single tenant-owned choice is suspicious"


@pytest.mark.parametrize("label", TENANT_OWNED_LABELS)
def test_change_form_of_own_object_offers_no_choice_of_other_tenant(label, tenant, tenant_objects, manager_client):
    pair = pair_for(tenant_objects, label)

    response = manager_client.get(admin_url(pair.ours, "change"))

    assert response.status_code == 200
    assert_choices_only_of(tenant, response)


def test_membership_add_for_other_tenant_is_refused(tenant_objects, secret_other_tenant, stakeholder, manager_client):
    from wsis_portal.tenants.models import Membership

    response = manager_client.post(
        admin_url(Membership, "add"), {"tenant": secret_other_tenant.pk, "user": stakeholder.pk, "role": "manager"}
    )

    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["tenant"]
    assert Membership.objects.filter(user=stakeholder).exists() is False


def test_edition_add_for_other_tenant_is_refused(tenant_objects, secret_other_tenant, manager_client):
    from wsis_portal.editions.models import Edition

    before = pks_of(Edition, secret_other_tenant)
    response = manager_client.post(
        admin_url(Edition, "add"),
        {
            "tenant": secret_other_tenant.pk,
            "year": 2040,
            "title": "Hijacked",
            "starts_on": "2040-05-01",
            "ends_on": "2040-05-05",
            "timezone": "Europe/Zurich",
            "status": "draft",
            **{f"{inline}-{key}": 0 for inline in ("calls", "meetings", "tracks") for key in MANAGEMENT_FIELDS},
        },
    )

    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["tenant"]
    assert pks_of(Edition, secret_other_tenant) == before


# --- actions ------------------------------------------------------------------


@pytest.mark.parametrize(("label", "action"), ACTIONS)
def test_action_on_other_tenant_object_leaves_it_untouched(label, action, tenant_objects, leak_markers, manager_client):
    model = model_of(label)
    pair = pair_for(tenant_objects, label)
    before = snapshot(pair.theirs)

    response = manager_client.post(
        admin_url(model, "changelist"),
        {"action": action, ACTION_CHECKBOX_NAME: [pair.ours.pk, pair.theirs.pk], "index": 0, "post": "yes"},
    )

    assert leaks(response, leak_markers) == []
    assert snapshot(pair.theirs) == before
    if action == "delete_selected":
        assert exists(pair.ours) is (label in NEVER_DELETED)
        # Refused as "no action selected" (302), or, when the admin offers no
        # action at all, the POST is not taken as one and the list is shown.
        assert response.status_code == (200 if label in WITHOUT_ACTIONS else 302)


def test_delete_selected_confirmation_lists_only_own_object(tenant_objects, leak_markers, manager_client):
    pair = tenant_objects["editions.Track"]

    response = manager_client.post(
        admin_url(type(pair.ours), "changelist"),
        {"action": "delete_selected", ACTION_CHECKBOX_NAME: [pair.ours.pk, pair.theirs.pk], "index": 0},
    )

    assert response.status_code == 200
    assert list(response.context["queryset"]) == [pair.ours]
    assert leaks(response, leak_markers) == []


def test_retry_now_requeues_own_failed_email_only(tenant_objects, manager_client):
    from wsis_portal.notifications.enums import OutboxStatus
    from wsis_portal.notifications.models import OutboxEmail

    pair = tenant_objects["notifications.OutboxEmail"]

    response = manager_client.post(
        admin_url(OutboxEmail, "changelist"),
        {"action": "retry_now", ACTION_CHECKBOX_NAME: [pair.ours.pk, pair.theirs.pk], "index": 0},
    )

    assert response.status_code == 302
    assert OutboxEmail.objects.get(pk=pair.ours.pk).status != OutboxStatus.FAILED
    assert OutboxEmail.objects.get(pk=pair.theirs.pk).status == OutboxStatus.FAILED


# --- nothing of B on any page ----------------------------------------------------


@pytest.mark.parametrize("label", list(REGISTRY))
def test_admin_pages_of_model_never_mention_other_tenant(label, tenant_objects, leak_markers, manager_client):
    model = model_of(label)
    urls = [admin_url(model, "changelist"), admin_url(model, "add")]
    if label in tenant_objects:
        ours = tenant_objects[label].ours
        urls += [admin_url(ours, view) for view in OBJECT_VIEWS]

    leaked = {url: leaks(manager_client.get(url), leak_markers) for url in urls}

    assert leaked == {url: [] for url in urls}


def test_admin_index_and_app_pages_never_mention_other_tenant(tenant_objects, leak_markers, manager_client):
    app_labels = sorted({model._meta.app_label for model, _ in REGISTRY.values()})
    urls = ["/admin/", *[f"/admin/{app_label}/" for app_label in app_labels]]

    leaked = {url: leaks(manager_client.get(url), leak_markers) for url in urls}

    assert leaked == {url: [] for url in urls}


# --- platform-only and reference data -------------------------------------------


def test_admin_index_lists_exactly_tenant_reference_and_account_models(tenant_objects, manager_client):
    response = manager_client.get("/admin/")

    assert response.status_code == 200
    listed = {entry["model"]._meta.label for app in response.context["app_list"] for entry in app["models"]}
    assert listed == set(TENANT_OWNED) | set(REFERENCE_DATA) | TENANT_STAFF_ACCOUNTS
    assert listed.isdisjoint(PLATFORM_ONLY)


@pytest.mark.parametrize("label", sorted(PLATFORM_ONLY))
def test_platform_only_admin_refuses_tenant_manager(label, tenant, manager, manager_client):
    model = model_of(label)
    platform_object = PLATFORM_ONLY[label](tenant, manager)
    before = snapshot(platform_object)

    statuses = {
        "changelist": manager_client.get(admin_url(model, "changelist")).status_code,
        "add": manager_client.get(admin_url(model, "add")).status_code,
        "change": manager_client.get(admin_url(platform_object, "change")).status_code,
        "change POST": manager_client.post(admin_url(platform_object, "change"), {}).status_code,
        "delete POST": manager_client.post(admin_url(platform_object, "delete"), {"post": "yes"}).status_code,
        "history": manager_client.get(admin_url(platform_object, "history")).status_code,
    }

    assert statuses == dict.fromkeys(statuses, 403)
    assert snapshot(platform_object) == before


@pytest.mark.parametrize("label", sorted(PLATFORM_ONLY))
def test_platform_only_model_is_absent_from_index_and_app_page(label, manager_client):
    model = model_of(label)
    app_label = model._meta.app_label
    app_has_other_models = any(
        other not in PLATFORM_ONLY
        for other, (other_model, _) in REGISTRY.items()
        if other_model._meta.app_label == app_label
    )

    index = manager_client.get("/admin/")
    app_page = manager_client.get(f"/admin/{app_label}/")

    assert model not in {entry["model"] for app in index.context["app_list"] for entry in app["models"]}
    if app_has_other_models:
        assert app_page.status_code == 200
        assert model not in {entry["model"] for app in app_page.context["app_list"] for entry in app["models"]}
    else:
        assert app_page.status_code == 404


@pytest.mark.parametrize(("source", "field_name"), incoming_relations(Tenant))
def test_autocomplete_of_tenants_is_refused_to_tenant_manager(source, field_name, manager_client):
    source_model = apps.get_model(source)

    response = manager_client.get(
        "/admin/autocomplete/",
        {
            "app_label": source_model._meta.app_label,
            "model_name": source_model._meta.model_name,
            "field_name": field_name,
        },
    )

    assert response.status_code == 403


@pytest.mark.parametrize("label", sorted(REFERENCE_DATA))
def test_reference_data_is_readable_but_not_changeable_by_tenant_manager(label, manager_client):
    model = model_of(label)
    reference = REFERENCE_DATA[label]()
    before = snapshot(reference)

    changelist = manager_client.get(admin_url(model, "changelist"))
    change_page = manager_client.get(admin_url(reference, "change"))
    change_post = manager_client.post(admin_url(reference, "change"), {})
    add_page = manager_client.get(admin_url(model, "add"))
    delete_post = manager_client.post(admin_url(reference, "delete"), {"post": "yes"})

    assert (changelist.status_code, change_page.status_code) == (200, 200)
    assert reference.pk in {obj.pk for obj in changelist.context["cl"].result_list}
    assert change_page.context["has_change_permission"] is False
    assert (change_post.status_code, add_page.status_code, delete_post.status_code) == (403, 403, 403)
    assert snapshot(reference) == before


# --- accounts ----------------------------------------------------------------------


def _member_pks(tenant) -> set:
    return set(User.objects.filter(memberships__tenant=tenant).values_list("pk", flat=True))


def test_user_changelist_lists_exactly_members_of_own_tenant(
    tenant, tenant_objects, manager, other_manager, manager_client
):
    response = manager_client.get(admin_url(User, "changelist"))

    assert response.status_code == 200
    shown = {user.pk for user in response.context["cl"].result_list}
    assert shown == _member_pks(tenant)
    assert manager.pk in shown
    assert other_manager.pk not in shown
    assert tenant_objects["tenants.Membership"].theirs.user_id not in shown


@pytest.mark.parametrize("view", [*OBJECT_VIEWS, "password_change"])
def test_user_pages_of_other_tenant_member_answer_404(view, tenant_objects, manager, other_manager, manager_client):
    url_of = {
        "password_change": lambda user: f"/admin/accounts/user/{user.pk}/password/",
    }.get(view, lambda user: admin_url(user, view))
    before = snapshot(other_manager)

    statuses = {
        "GET": manager_client.get(url_of(other_manager)).status_code,
        "POST": manager_client.post(url_of(other_manager), {"post": "yes"}).status_code,
    }

    assert statuses == {"GET": 404, "POST": 404}
    assert snapshot(other_manager) == before


def test_user_change_page_of_own_member_is_read_only(tenant_objects, manager_client):
    member = tenant_objects["tenants.Membership"].ours.user
    before = snapshot(member)

    page = manager_client.get(admin_url(member, "change"))
    post = manager_client.post(admin_url(member, "change"), {"email": "taken-over@example.org"})

    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert post.status_code == 403
    assert snapshot(member) == before


def test_user_changelist_search_by_exact_email_of_other_tenant_member_finds_nothing(other_manager, manager_client):
    response = manager_client.get(admin_url(User, "changelist"), {"q": other_manager.email})

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []


def test_user_autocomplete_browses_only_own_members(tenant, tenant_objects, other_manager, manager_client):
    query = {"app_label": "tenants", "model_name": "membership", "field_name": "user"}

    browse = manager_client.get("/admin/autocomplete/", {**query, "term": "example.org"})

    assert browse.status_code == 200
    assert {result["id"] for result in browse.json()["results"]} == {str(pk) for pk in _member_pks(tenant)}


def test_user_autocomplete_finds_one_more_account_by_exact_email(stakeholder, other_manager, manager_client):
    query = {"app_label": "tenants", "model_name": "membership", "field_name": "user"}

    exact = manager_client.get("/admin/autocomplete/", {**query, "term": "Stakeholder@example.org"})
    partial = manager_client.get("/admin/autocomplete/", {**query, "term": "stakeholder@example"})

    assert [result["id"] for result in exact.json()["results"]] == [str(stakeholder.pk)]
    assert partial.json()["results"] == []


def test_registry_every_tenant_owned_model_has_a_factory():
    assert sorted(label for label in TENANT_OWNED_LABELS if label not in TENANT_OWNED) == []
