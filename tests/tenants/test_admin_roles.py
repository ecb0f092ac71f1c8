"""Who may do what in the admin: managers change, the other roles only view,
anonymous visitors go to allauth's login, staff without a second factor set one
up first, platform operators see every tenant."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from tests.tenants.admin_map import (
    OBJECT_VIEWS,
    REGISTRY,
    TENANT_OWNED_LABELS,
    admin_of,
    admin_url,
    assert_choices_only_of,
    exists,
    model_of,
    pair_for,
    pks_of,
    request_as,
    snapshot,
)
from wsis_portal.tenants.enums import Role

READ_ONLY_ROLES = ["reviewer", "expert", "viewer"]


@pytest.fixture
def role_client(request, admin_client_for):
    """A client of tenant A's staff member in the role given by the test's ``role`` parameter."""
    return admin_client_for(request.getfixturevalue(request.node.callspec.params["role"]))


def _action_names(response) -> list[str]:
    action_form = response.context["action_form"]  # None when no action is allowed
    return [] if action_form is None else [name for name, _ in action_form.fields["action"].choices if name]


# --- read-only roles -----------------------------------------------------------------


@pytest.mark.parametrize("label", TENANT_OWNED_LABELS)
@pytest.mark.parametrize("role", READ_ONLY_ROLES)
def test_read_only_role_lists_own_tenant_objects_without_actions(label, role, tenant, tenant_objects, role_client):
    model = model_of(label)
    pair_for(tenant_objects, label)

    response = role_client.get(admin_url(model, "changelist"))

    assert response.status_code == 200
    assert {obj.pk for obj in response.context["cl"].result_list} == pks_of(model, tenant)
    assert "delete_selected" not in _action_names(response)
    assert response.context["has_add_permission"] is False


@pytest.mark.parametrize("label", TENANT_OWNED_LABELS)
@pytest.mark.parametrize("role", READ_ONLY_ROLES)
def test_read_only_role_views_own_object_but_cannot_change_it(label, role, tenant_objects, role_client):
    ours = pair_for(tenant_objects, label).ours
    before = snapshot(ours)

    page = role_client.get(admin_url(ours, "change"))
    statuses = {
        "add": role_client.get(admin_url(type(ours), "add")).status_code,
        "add POST": role_client.post(admin_url(type(ours), "add"), {}).status_code,
        "change POST": role_client.post(admin_url(ours, "change"), {}).status_code,
        "delete": role_client.get(admin_url(ours, "delete")).status_code,
        "delete POST": role_client.post(admin_url(ours, "delete"), {"post": "yes"}).status_code,
    }

    assert page.status_code == 200
    assert (page.context["has_change_permission"], page.context["has_delete_permission"]) == (False, False)
    assert statuses == dict.fromkeys(statuses, 403)
    assert snapshot(ours) == before


@pytest.mark.parametrize("label", TENANT_OWNED_LABELS)
@pytest.mark.parametrize("role", READ_ONLY_ROLES)
def test_read_only_role_cannot_delete_own_object_through_action(label, role, tenant_objects, role_client):
    ours = pair_for(tenant_objects, label).ours

    role_client.post(
        admin_url(type(ours), "changelist"),
        {"action": "delete_selected", ACTION_CHECKBOX_NAME: [ours.pk], "index": 0, "post": "yes"},
    )

    assert exists(ours)


@pytest.mark.parametrize("label", TENANT_OWNED_LABELS)
@pytest.mark.parametrize("role", [*READ_ONLY_ROLES, "manager"])
def test_other_tenant_object_answers_404_to_every_role(label, role, tenant_objects, role_client):
    theirs = pair_for(tenant_objects, label).theirs
    before = snapshot(theirs)

    statuses = {}
    for view in OBJECT_VIEWS:
        statuses[view] = role_client.get(admin_url(theirs, view)).status_code
        statuses[f"{view} POST"] = role_client.post(admin_url(theirs, view), {"post": "yes"}).status_code

    assert statuses == dict.fromkeys(statuses, 404)
    assert snapshot(theirs) == before


# --- staff of two tenants ----------------------------------------------------------


@pytest.fixture
def manager_viewing_other_tenant(manager, secret_other_tenant):
    """Tenant A's manager who is also a viewer in tenant B."""
    from tests import factories

    factories.MembershipFactory(tenant=secret_other_tenant, user=manager, role=Role.VIEWER)
    return manager


@pytest.mark.parametrize("label", TENANT_OWNED_LABELS)
def test_viewer_of_second_tenant_views_but_cannot_change_its_objects(
    label, tenant_objects, manager_viewing_other_tenant, admin_client_for
):
    client = admin_client_for(manager_viewing_other_tenant)
    theirs = pair_for(tenant_objects, label).theirs
    before = snapshot(theirs)

    page = client.get(admin_url(theirs, "change"))
    change_post = client.post(admin_url(theirs, "change"), {})
    delete_post = client.post(admin_url(theirs, "delete"), {"post": "yes"})

    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert [
        (inline.has_add_permission, inline.has_change_permission, inline.has_delete_permission)
        for inline in page.context["inline_admin_formsets"]
    ] == [(False, False, False)] * len(page.context["inline_admin_formsets"])
    assert (change_post.status_code, delete_post.status_code) == (403, 403)
    assert snapshot(theirs) == before


@pytest.mark.parametrize("label", TENANT_OWNED_LABELS)
def test_viewer_of_second_tenant_gets_only_managed_tenant_as_choices(
    label, tenant, tenant_objects, manager_viewing_other_tenant, admin_client_for
):
    may_add = admin_of(label).has_add_permission(request_as(manager_viewing_other_tenant))

    response = admin_client_for(manager_viewing_other_tenant).get(admin_url(model_of(label), "add"))

    assert response.status_code == (200 if may_add else 403)
    if may_add:
        assert assert_choices_only_of(tenant, response) != []


# --- platform operators ------------------------------------------------------------


@pytest.mark.parametrize("label", TENANT_OWNED_LABELS)
def test_operator_sees_objects_of_every_tenant(
    label, tenant, secret_other_tenant, tenant_objects, operator, admin_client_for
):
    client = admin_client_for(operator)
    model = model_of(label)
    pair = pair_for(tenant_objects, label)

    response = client.get(admin_url(model, "changelist"))

    assert response.status_code == 200
    shown = {obj.pk for obj in response.context["cl"].result_list}
    assert shown == pks_of(model, tenant) | pks_of(model, secret_other_tenant)
    assert {pair.ours.pk, pair.theirs.pk} <= shown
    assert client.get(admin_url(pair.theirs, "change")).status_code == 200


def test_operator_index_lists_every_registered_model(operator, admin_client_for):
    response = admin_client_for(operator).get("/admin/")

    listed = {entry["model"]._meta.label for app in response.context["app_list"] for entry in app["models"]}
    assert listed == set(REGISTRY)


# --- no session, no second factor ----------------------------------------------------


def _admin_pages(objects) -> list[str]:
    pages = ["/admin/", "/admin/autocomplete/?app_label=editions&model_name=call&field_name=edition"]
    for label, (model, _) in REGISTRY.items():
        pages.append(admin_url(model, "changelist"))
        pages.append(admin_url(model, "add"))
        if label in objects:
            pages.append(admin_url(objects[label].ours, "change"))
    return pages


def test_anonymous_is_sent_to_allauth_login_from_every_admin_page(client, tenant_objects):
    login = reverse("account_login")
    redirected = {}
    for page in _admin_pages(tenant_objects):
        response = client.get(page, follow=True)
        redirected[page] = response.redirect_chain[-1][0], response.status_code

    assert redirected == {page: (f"{login}?{urlencode({'next': page})}", 200) for page in redirected}


def test_anonymous_reaches_allauth_login_in_one_hop_from_admin_login(client):
    response = client.get("/admin/login/?next=/admin/editions/call/")

    assert (response.status_code, response["Location"]) == (
        302,
        f"{reverse('account_login')}?{urlencode({'next': '/admin/editions/call/'})}",
    )


@pytest.mark.parametrize("persona", ["manager", "viewer", "operator"])
def test_staff_without_totp_is_sent_to_totp_activation_from_every_admin_page(persona, request, client, tenant_objects):
    client.force_login(request.getfixturevalue(persona))
    activate = reverse("mfa_activate_totp")
    redirected = {}
    for page in _admin_pages(tenant_objects):
        response = client.get(page)
        redirected[page] = response.status_code, response.get("Location")

    assert redirected == {page: (302, f"{activate}?{urlencode({'next': page})}") for page in redirected}


def test_staff_without_totp_cannot_post_to_admin(manager, client, tenant_objects):
    client.force_login(manager)
    ours = tenant_objects["editions.Track"].ours

    response = client.post(admin_url(ours, "delete"), {"post": "yes"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))
    assert exists(ours)


def test_member_without_staff_flag_is_refused_by_admin(stakeholder, client, with_totp):
    with_totp(stakeholder)
    client.force_login(stakeholder)

    response = client.get("/admin/", follow=True)

    assert response.status_code == 403


def test_operator_view_on_site_reaches_edition_of_any_tenant(tenant_objects, operator, admin_client_for):
    from django.contrib.contenttypes.models import ContentType

    theirs = tenant_objects["editions.Edition"].theirs
    content_type = ContentType.objects.get_for_model(theirs)

    response = admin_client_for(operator).get(f"/admin/r/{content_type.pk}/{theirs.pk}/")

    assert (response.status_code, response["Location"]) == (302, f"http://testserver{theirs.get_absolute_url()}")
