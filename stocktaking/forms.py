"""The public search form (GET, shareable URLs) and the owner's entry form."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.utils.choices import BaseChoiceIterator
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django_countries import countries

from wsis_portal.reference.models import ActionLine, Region, StakeholderType, SustainableDevelopmentGoal
from wsis_portal.widgets import QuickSelect

from .enums import EntryKind, ProjectStatus
from .models import CONTENT_FIELDS, FIRST_YEAR, LAST_YEAR, Collection, Entry
from .search import FACET_CACHE_SECONDS, SORTS, SearchParams, cache_key
from .updates import FRESH, STALE


def _typed(label):
    return forms.TypedChoiceField(label=label, required=False, coerce=int, empty_value=None)


def filter_choices(*, tenant) -> dict[str, list[tuple]]:
    """The search form's choice lists in the active language (five queries)."""
    every = [("", _("All"))]
    types = StakeholderType.objects.all()
    return {
        "action_line": every + [(line.pk, str(line)) for line in ActionLine.objects.all()],
        "sdg": every + [(goal.pk, str(goal)) for goal in SustainableDevelopmentGoal.objects.all()],
        "region": every + [(region.pk, region.name) for region in Region.objects.all()],
        "country": every + [(code, str(name)) for code, name in countries],
        "stakeholder_type": every + [(item.pk, item.name) for item in types],
        "kind": every + [(value, str(label)) for value, label in EntryKind.choices],
        "status": every + [(value, str(label)) for value, label in ProjectStatus.choices],
        "collection": every + [(item.pk, item.name) for item in Collection.objects.filter(tenant=tenant)],
        "freshness": every
        + [
            (FRESH, _("Up to date")),
            (STALE, _("Stale (not confirmed for %(years)d years)") % {"years": settings.STOCKTAKING_STALE_AFTER_YEARS}),
        ],
        "sort": [
            ("relevance", _("Relevance")),
            ("newest", _("Newest first")),
            ("title", _("Title (A to Z)")),
        ],
    }


def choices_cache_key(tenant, version: str) -> str:
    return cache_key("choices", version, tenant.pk, get_language())


def cached_filter_choices(tenant, version: str, *, known: dict | None = None) -> dict[str, list[tuple]]:
    """``filter_choices`` cached per tenant, language and data version (``known``:
    the cached value, read by the caller with its other keys). The
    reference lists and collections do not change ``updated_at``: an edit of
    them shows within ``search.FACET_CACHE_SECONDS`` (or at the next entry change)."""
    if known is not None:
        return known
    key = choices_cache_key(tenant, version)
    choices = cache.get(key)
    if choices is None:
        choices = {
            name: [(value, str(label)) for value, label in values]
            for name, values in filter_choices(tenant=tenant).items()
        }
        cache.set(key, choices, FACET_CACHE_SECONDS)
    return choices


class _Normalized(BaseChoiceIterator):
    """Choices already in Django's normal form (a list of ``(value, label)``):
    the field and its widget take them as they are instead of walking the 250
    countries again with ``normalize_choices`` on every request."""

    def __init__(self, choices: list[tuple]):
        self.choices = choices

    def __iter__(self):
        return iter(self.choices)


class SearchForm(forms.Form):
    """The search's GET parameters; every choice list is one query, and an
    invalid value is ignored rather than failing the page."""

    q = forms.CharField(label=gettext_lazy("Keywords"), required=False, max_length=200)
    action_line = _typed(gettext_lazy("Action Line"))
    sdg = _typed(gettext_lazy("Sustainable Development Goal"))
    region = _typed(gettext_lazy("Region"))
    country = forms.ChoiceField(label=gettext_lazy("Country"), required=False)
    stakeholder_type = _typed(gettext_lazy("Stakeholder type"))
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), required=False)
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    year = forms.IntegerField(
        label=gettext_lazy("Active in year"), required=False, min_value=FIRST_YEAR, max_value=LAST_YEAR
    )
    collection = _typed(gettext_lazy("Collection"))
    freshness = forms.ChoiceField(label=gettext_lazy("Last confirmed"), required=False)
    sort = forms.ChoiceField(label=gettext_lazy("Sort by"), required=False)

    FILTERS = ["action_line", "sdg", "region", "country", "stakeholder_type", "kind", "status", "year", "collection"]

    def __init__(self, *args, tenant, version: str | None = None, choices: dict | None = None, **kwargs):
        """``version``: the search's data version (``search.data_version``);
        given, the choice lists come from the cache (one read instead of five
        queries and the sorting of the countries' translated names), or from
        ``choices`` if the caller has read them already."""
        super().__init__(*args, **kwargs)
        if version is None:
            choices = filter_choices(tenant=tenant)
        else:
            choices = cached_filter_choices(tenant, version, known=choices)
        for name, values in choices.items():
            self.fields[name].choices = _Normalized(values)
        for field in self.fields.values():
            if isinstance(field, forms.ChoiceField):
                # Drawn on every search: options joined in Python, not one template each.
                field.widget = QuickSelect(attrs={"class": "form-select"}, choices=field.choices)
            else:
                field.widget.attrs["class"] = "form-control"
        self.fields["q"].widget.attrs["type"] = "search"

    def params(self) -> SearchParams:
        """The valid parameters (each invalid one dropped on its own)."""
        if not self.is_bound:
            return SearchParams()
        self.is_valid()
        values = {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}
        values.pop("freshness", None)  # applied by ``updates.filter_freshness``
        if values.get("sort") not in SORTS:
            values.pop("sort", None)
        return SearchParams(**values)

    def freshness_value(self) -> str:
        """``"stale"``, ``"fresh"`` or ``""`` (an invalid value is ignored)."""
        if not self.is_bound or not self.is_valid():
            value = self.data.get("freshness", "") if self.is_bound else ""
            return value if value in (FRESH, STALE) else ""
        return self.cleaned_data.get("freshness") or ""

    def choice_labels(self, name: str) -> dict[str, str]:
        return {str(value): str(label) for value, label in self.fields[name].choices if value != ""}


def _formfield(db_field, **kwargs):
    # Django 6 switches URL fields to https by default; opt in now.
    if isinstance(db_field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return db_field.formfield(**kwargs)


class EntryForm(forms.ModelForm):
    """The owner's entry, in fieldsets; the tenant is passed in."""

    class Meta:
        model = Entry
        formfield_callback = _formfield
        fields = [name for name in CONTENT_FIELDS if name not in ("organisation", "stakeholder_type")] + [
            "stakeholder_type",
            "action_lines",
            "sdgs",
        ]
        widgets = {
            "action_lines": forms.CheckboxSelectMultiple,
            "sdgs": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 6}),
            "beneficiaries": forms.Textarea(attrs={"rows": 3}),
            "partners": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.tenant = tenant
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(_("About the entry"), "title", "description", "kind", "language", "image"),
            Fieldset(_("Who runs it"), "organisation_name", "stakeholder_type", "partners", "beneficiaries", "website"),
            Fieldset(_("Where and when"), "countries", "coverage", "start_year", "end_year", "project_status"),
            Fieldset(_("Action Lines and Sustainable Development Goals"), "action_lines", "sdgs"),
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_year"), cleaned.get("end_year")
        if start and end and end < start:
            self.add_error("end_year", _("The end year cannot come before the start year."))
        return cleaned

    def changes(self) -> tuple[dict, dict]:
        """``(fields, many-to-many)`` as the services take them."""
        many = {name: self.cleaned_data[name] for name in ("action_lines", "sdgs")}
        data = {name: value for name, value in self.cleaned_data.items() if name not in many}
        return data, many
