from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from .enums import Role

# URL prefixes a tenant may not take, because the platform's own pages live there.
RESERVED_SLUGS = {"admin", "accounts", "static", "media", "i18n", "api", "health", "jsi18n"}


def validate_tenant_slug(value: str) -> None:
    from django.core.exceptions import ValidationError

    if value in RESERVED_SLUGS:
        raise ValidationError(_("“%(slug)s” is reserved for the platform."), params={"slug": value})


class Tenant(models.Model):
    """An organising body's portal, served under ``/<slug>/``."""

    slug = models.SlugField(
        _("URL prefix"),
        max_length=40,
        unique=True,
        validators=[RegexValidator(r"^[a-z0-9-]+$"), validate_tenant_slug],
    )
    name = models.CharField(_("name"), max_length=120)
    organiser = models.CharField(_("organised by"), max_length=255, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tenant")
        verbose_name_plural = _("tenants")

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A staff right: ``user`` has ``role`` in ``tenant``. One role per user and tenant."""

    tenant = models.ForeignKey(Tenant, verbose_name=_("tenant"), on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    tenant_path = "tenant"
    objects = ScopedManager(tenant=tenant_path)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["tenant", "user"], name="membership_one_role_per_tenant")]

    def __str__(self) -> str:
        return f"{self.user} - {self.get_role_display()} ({self.tenant})"
