"""``{% ocp_brief_url edition as url %}``: the address of the edition's final
brief when the visitor may open it (published, or the visitor is staff of the
tenant), else an empty string."""

from django import template
from django.urls import reverse
from django.utils import timezone

from ocp.models import FinalBrief

register = template.Library()


@register.simple_tag(takes_context=True)
def ocp_brief_url(context, edition) -> str:
    request = context.get("request")
    tenant = getattr(request, "tenant", None)
    if edition is None or tenant is None:
        return ""
    # One query for visitors; staff memberships are read only for staff accounts.
    user = request.user
    may_see = FinalBrief.objects.filter(edition=edition, published_at__lte=timezone.now()).exists() or (
        user.is_staff and user.has_perm("tenants.view_tenant_data", tenant)
    )
    return reverse("ocp:brief", kwargs={"tenant_slug": tenant.slug}) if may_see else ""
