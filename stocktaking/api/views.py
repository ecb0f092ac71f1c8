"""Read-only API views. The tenant comes from the URL through
``TenantMiddleware`` (404 for an unknown forum, scope opened), as for pages;
entries are the search page's results (``stocktaking.search``)."""

from __future__ import annotations

from django.utils.translation import get_language
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.pagination import PageNumberPagination

from wsis_portal.reference.models import ActionLine, Region, SustainableDevelopmentGoal

from .. import search, updates
from ..models import Entry
from .serializers import ActionLineSerializer, EntryFilterSerializer, EntrySerializer, RegionSerializer, SdgSerializer

MAX_PAGE_SIZE = 100


_DETAIL = inline_serializer("ErrorDetail", fields={"detail": serializers.CharField()})
NOT_FOUND = OpenApiResponse(_DETAIL, description="Not published, not of this forum, no such object or page.")
THROTTLED = OpenApiResponse(_DETAIL, description="Too many requests: wait for the time the Retry-After header says.")
INVALID = OpenApiResponse(
    {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    description="A filter value is invalid: the message per parameter.",
)


def _documented(serializer, *, invalid: bool = False):
    """The error answers of a read-only view set in the schema."""
    list_responses = {200: serializer(many=True), 404: NOT_FOUND, 429: THROTTLED}
    if invalid:
        list_responses[400] = INVALID
    return extend_schema_view(
        list=extend_schema(responses=list_responses),
        retrieve=extend_schema(responses={200: serializer, 404: NOT_FOUND, 429: THROTTLED}),
    )


class ApiPagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_paginated_response_schema(self, schema):
        # DRF writes ``nullable`` (OpenAPI 3.0); in 3.1 null is a type.
        paginated = super().get_paginated_response_schema(schema)
        for link in ("next", "previous"):
            paginated["properties"][link].pop("nullable", None)
            paginated["properties"][link]["type"] = ["string", "null"]
        return paginated


@_documented(EntrySerializer, invalid=True)
class EntryViewSet(viewsets.ReadOnlyModelViewSet):
    """Published entries of the forum, with the search page's filters and sorts."""

    serializer_class = EntrySerializer
    pagination_class = ApiPagination

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "tenant": self.request.tenant}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            # Schema generation: no request, no tenant; only the model matters.
            return Entry.objects.none()
        tenant = self.request.tenant
        if self.action == "list":
            filters = EntryFilterSerializer(data=self.request.query_params)
            filters.is_valid(raise_exception=True)
            params = filters.params()
            found = search.search_entries(tenant=tenant, params=params, language=get_language())
            found = updates.filter_freshness(found, filters.freshness_value())
            queryset = search.sort_entries(found, sort=params.sort, has_keyword=bool(params.q.strip()))
        else:
            queryset = search.published_entries(tenant=tenant)
        return search.with_public_relations(queryset)

    @extend_schema(parameters=[EntryFilterSerializer])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


@_documented(ActionLineSerializer)
class ActionLineViewSet(viewsets.ReadOnlyModelViewSet):
    """WSIS Action Lines (C1 to C11 and their sub-lines); ``parent`` is an id."""

    queryset = ActionLine.objects.all()
    serializer_class = ActionLineSerializer
    pagination_class = ApiPagination


@_documented(SdgSerializer)
class SdgViewSet(viewsets.ReadOnlyModelViewSet):
    """The 17 Sustainable Development Goals."""

    queryset = SustainableDevelopmentGoal.objects.all()
    serializer_class = SdgSerializer
    pagination_class = ApiPagination


@_documented(RegionSerializer)
class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    """Regions and their countries (an entry's regions derive from its countries)."""

    queryset = Region.objects.all()
    serializer_class = RegionSerializer
    pagination_class = ApiPagination
