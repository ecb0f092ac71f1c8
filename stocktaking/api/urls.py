"""``/api/v1/<tenant>/stocktaking/``: entries, action-lines, sdgs, regions."""

from rest_framework.routers import SimpleRouter

from . import views

app_name = "stocktaking-api"

router = SimpleRouter()
router.register("entries", views.EntryViewSet, basename="entry")
router.register("action-lines", views.ActionLineViewSet, basename="action-line")
router.register("sdgs", views.SdgViewSet, basename="sdg")
router.register("regions", views.RegionViewSet, basename="region")

urlpatterns = router.urls
