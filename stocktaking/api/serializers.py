"""What the API and the JSON download say about an entry and the reference
lists. One representation: the JSON download writes these same objects."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django_countries import countries
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from wsis_portal.reference.models import ActionLine, Region, SustainableDevelopmentGoal

from ..enums import EntryKind, ProjectStatus
from ..models import FIRST_YEAR, LAST_YEAR, Entry
from ..search import SORTS, SearchParams
from ..updates import FRESH, STALE


class ActionLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = ActionLine
        fields = ["id", "code", "title", "parent"]


class SdgSerializer(serializers.ModelSerializer):
    class Meta:
        model = SustainableDevelopmentGoal
        fields = ["id", "number", "name"]


class RegionSerializer(serializers.ModelSerializer):
    countries = serializers.SerializerMethodField(help_text="ISO 3166-1 alpha-2 codes.")

    class Meta:
        model = Region
        fields = ["id", "name", "slug", "countries"]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_countries(self, region: Region) -> list[str]:
        return [country.code for country in region.countries]


class ActionLineRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = ActionLine
        fields = ["id", "code"]


class SdgRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = SustainableDevelopmentGoal
        fields = ["id", "number"]


class NamedRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class EntrySerializer(serializers.ModelSerializer):
    """A published entry. ``url`` is its public page; the related lists carry
    the ids that the filters take."""

    url = serializers.SerializerMethodField()
    countries = serializers.SerializerMethodField(help_text="ISO 3166-1 alpha-2 codes.")
    stakeholder_type = NamedRefSerializer(allow_null=True)
    action_lines = ActionLineRefSerializer(many=True)
    sdgs = SdgRefSerializer(many=True)
    regions = NamedRefSerializer(many=True)
    collections = NamedRefSerializer(many=True)
    # A URL or "" (a plain string, not a oneOf that "" would match twice).
    website = serializers.CharField()

    class Meta:
        model = Entry
        fields = [
            "id",
            "url",
            "title",
            "description",
            "kind",
            "language",
            "organisation_name",
            "stakeholder_type",
            "countries",
            "coverage",
            "regions",
            "action_lines",
            "sdgs",
            "start_year",
            "end_year",
            "project_status",
            "website",
            "beneficiaries",
            "partners",
            "collections",
            "published_at",
            "confirmed_at",
        ]

    def get_url(self, entry: Entry) -> str:
        path = reverse("stocktaking:detail", kwargs={"tenant_slug": self.context["tenant"].slug, "pk": entry.pk})
        return self.context["request"].build_absolute_uri(path)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_countries(self, entry: Entry) -> list[str]:
        return [country.code for country in entry.countries]


class EntryFilterSerializer(serializers.Serializer):
    """The search page's filters as query parameters (ids as in the reference
    lists); validated here, applied by ``stocktaking.search``."""

    q = serializers.CharField(required=False, max_length=200, help_text="Keywords.")
    action_line = serializers.IntegerField(
        required=False, min_value=1, help_text="Action Line id (a parent line includes its sub-lines)."
    )
    sdg = serializers.IntegerField(required=False, min_value=1, help_text="Sustainable Development Goal id.")
    region = serializers.IntegerField(required=False, min_value=1, help_text="Region id.")
    country = serializers.ChoiceField(choices=list(countries), required=False, help_text="ISO 3166-1 alpha-2.")
    stakeholder_type = serializers.IntegerField(required=False, min_value=1)
    kind = serializers.ChoiceField(choices=EntryKind.choices, required=False)
    status = serializers.ChoiceField(choices=ProjectStatus.choices, required=False, help_text="Project status.")
    year = serializers.IntegerField(required=False, min_value=FIRST_YEAR, max_value=LAST_YEAR, help_text="Active in.")
    collection = serializers.IntegerField(required=False, min_value=1)
    freshness = serializers.ChoiceField(
        choices=[FRESH, STALE],
        required=False,
        help_text=(
            f"Last confirmed by its owner: `fresh` within the last {settings.STOCKTAKING_STALE_AFTER_YEARS} years "
            "(counted from midnight UTC), `stale` before that or never (the search page's filter)."
        ),
    )
    sort = serializers.ChoiceField(choices=SORTS, required=False, default="relevance")

    def params(self) -> SearchParams:
        values = {name: value for name, value in self.validated_data.items() if value not in (None, "")}
        values.pop("freshness", None)  # applied by ``updates.filter_freshness``
        return SearchParams(**values)

    def freshness_value(self) -> str:
        """``"fresh"``, ``"stale"`` or ``""`` (not filtered)."""
        return self.validated_data.get("freshness") or ""
