from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from wsis_portal.editions.views import platform_home
from wsis_portal.views import health, healthz

urlpatterns = [
    path("", platform_home, name="home"),
    path("admin/", admin.site.urls),
    path("accounts/", include("wsis_portal.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("health/", health, name="health"),
    path("healthz", healthz, name="healthz"),
    # The open data API ("api" is a reserved tenant slug): the OpenAPI schema, then per forum.
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/<slug:tenant_slug>/stocktaking/", include("stocktaking.api.urls")),
    # Prizes first among the forums' pages: public voting is their busiest traffic.
    path("<slug:tenant_slug>/prizes/", include("prizes.urls")),
    path("", include("wsis_portal.notifications.urls")),
    path("<slug:tenant_slug>/ocp/", include("ocp.urls")),
    path("<slug:tenant_slug>/stocktaking/", include("stocktaking.urls")),
    path("<slug:tenant_slug>/", include("wsis_portal.editions.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns = static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT) + urlpatterns
