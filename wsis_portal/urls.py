from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from wsis_portal.editions.views import platform_home
from wsis_portal.views import health

urlpatterns = [
    path("", platform_home, name="home"),
    path("admin/", admin.site.urls),
    path("accounts/", include("wsis_portal.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("health/", health, name="health"),
    path("", include("wsis_portal.notifications.urls")),
    path("<slug:tenant_slug>/ocp/", include("ocp.urls")),
    path("<slug:tenant_slug>/stocktaking/", include("stocktaking.urls")),
    path("<slug:tenant_slug>/prizes/", include("prizes.urls")),
    path("<slug:tenant_slug>/", include("wsis_portal.editions.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns = static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT) + urlpatterns
