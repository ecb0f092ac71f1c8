"""The step forms of a prize entry. Every field is optional while drafting:
completeness is checked when the entry is submitted. Two checks do stop a
save, with their message next to the field: a category the organisation
already uses, and a short description longer than 200 words."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .models import (
    SCORE_MAX,
    SCORE_MIN,
    SHORT_DESCRIPTION_MAX_WORDS,
    SHORT_DESCRIPTION_MIN_WORDS,
    ContestCategory,
    PrizeEntry,
)
from .services import category_taken, quota_message, same_project_elsewhere
from .validators import count_words


class StepForm(forms.ModelForm):
    """A step of an entry; ``contest`` limits the categories to the contest's own."""

    def __init__(self, *args, contest, **kwargs):
        super().__init__(*args, **kwargs)
        self.contest = contest
        for form_field in self.fields.values():
            form_field.required = False


class BasicsForm(StepForm):
    # Declared, not generated: categories belong to a tenant, and a generated
    # field would query them (outside any scope) when this module is imported.
    category = forms.ModelChoiceField(
        queryset=ContestCategory._base_manager.none(),
        required=False,
        label=capfirst(_("category")),
        help_text=_("One project per category for each organisation; a project is entered in one category only."),
    )

    class Meta:
        model = PrizeEntry
        fields = ["category", "title", "stakeholder_type", "country", "completion_status"]

    def __init__(self, *args, contest, **kwargs):
        super().__init__(*args, contest=contest, **kwargs)
        self.fields["category"].queryset = ContestCategory.objects.filter(contest=contest, active=True).select_related(
            "prize_category__action_line"
        )

    def clean_category(self):
        category = self.cleaned_data.get("category")
        if category is not None and category_taken(
            organisation_id=self.instance.organisation_id, category_id=category.pk, exclude_pk=self.instance.pk
        ):
            raise forms.ValidationError(quota_message(), code="category_taken")
        return category

    def clean(self):
        cleaned = super().clean()
        title = cleaned.get("title") or ""
        category = cleaned.get("category", self.instance.category)
        other = same_project_elsewhere(entry=self.instance, title=title, category_id=category.pk if category else None)
        if other is not None:
            self.add_error(
                "title",
                forms.ValidationError(
                    _(
                        "Your organisation already entered a project with this title in “%(category)s”: "
                        "a project may be entered in one category only."
                    ),
                    code="same_project",
                    params={"category": other.category or _("no category yet")},
                ),
            )
        return cleaned


class DescriptionsForm(StepForm):
    class Meta:
        model = PrizeEntry
        fields = ["short_description", "full_description", "in_english"]
        widgets = {
            "short_description": forms.Textarea(
                attrs={
                    "rows": 8,
                    "data-word-limit": SHORT_DESCRIPTION_MAX_WORDS,
                    "data-word-minimum": SHORT_DESCRIPTION_MIN_WORDS,
                    # Filled in by autosave.js as the person types.
                    "data-word-count-text": _("%(words)s words (150 to %(limit)s needed)"),
                }
            )
        }

    def clean_short_description(self):
        text = self.cleaned_data.get("short_description", "")
        words = count_words(text)
        if words > SHORT_DESCRIPTION_MAX_WORDS:
            raise forms.ValidationError(
                _("Please shorten this to 200 words or fewer (it has %(words)d)."),
                code="max_words",
                params={"words": words},
            )
        return text


class ImpactForm(StepForm):
    class Meta:
        model = PrizeEntry
        fields = [
            "sdgs",
            "economic_impact",
            "social_impact",
            "environmental_impact",
            "partnerships",
            "challenges_and_future",
        ]
        widgets = {"sdgs": forms.CheckboxSelectMultiple}


class LinksForm(StepForm):
    # Declared: Django 6 assumes https for addresses typed without a scheme; opt in now.
    website = forms.URLField(label=capfirst(_("website")), required=False, assume_scheme="https")

    class Meta:
        model = PrizeEntry
        fields = ["website", "image", "second_image"]


@dataclass(frozen=True)
class Step:
    key: str
    title: Any
    form_class: type[StepForm]

    def covers(self, field_name: str) -> bool:
        return field_name in self.form_class._meta.fields


STEPS = [
    Step("basics", _("Basics and category"), BasicsForm),
    Step("descriptions", _("Descriptions"), DescriptionsForm),
    Step("impact", _("Impact"), ImpactForm),
    Step("links", _("Links and images"), LinksForm),
]


def step_by_key(key: str) -> Step | None:
    return next((step for step in STEPS if step.key == key), None)


def step_for_field(field_name: str) -> Step | None:
    return next((step for step in STEPS if step.covers(field_name)), None)


def changes_from_form(form) -> dict[str, Any]:
    """The fields of a (possibly invalid) model form that the person changed
    and that passed validation: what a draft keeps of what was typed."""
    cleaned = getattr(form, "cleaned_data", {})
    return {name: cleaned[name] for name in form.changed_data if name in cleaned and _is_model_field(form, name)}


def _is_model_field(form, name: str) -> bool:
    try:
        form._meta.model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True


# --- nomination: one reviewer's scores of one entry ---------------------------------


class EntryScoresForm(forms.Form):
    """A score (0-5, radio buttons) and a comment per criterion for one entry.
    A criterion left without a score is not scored yet; a comment needs a score."""

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[f"value_{criterion.pk}"] = forms.TypedChoiceField(
                label=criterion.name,
                choices=[(value, str(value)) for value in range(SCORE_MIN, SCORE_MAX + 1)],
                coerce=int,
                required=False,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
            )
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=_("Comment on “%(criterion)s”") % {"criterion": criterion.name},
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def clean(self):
        cleaned = super().clean()
        for criterion in self.criteria:
            value = cleaned.get(f"value_{criterion.pk}")
            if (
                cleaned.get(f"comment_{criterion.pk}")
                and value in (None, "")
                and not self.has_error(f"value_{criterion.pk}")
            ):
                self.add_error(f"value_{criterion.pk}", _("Give a score with your comment."))
        return cleaned

    def rows(self):
        """``(criterion, score field, comment field)`` for the template."""
        return [(c, self[f"value_{c.pk}"], self[f"comment_{c.pk}"]) for c in self.criteria]

    def scores(self) -> list[tuple[Any, int, str]]:
        """``(criterion, value, comment)`` of the criteria given a score."""
        result = []
        for criterion in self.criteria:
            value = self.cleaned_data.get(f"value_{criterion.pk}")
            if value not in (None, ""):
                result.append((criterion, value, self.cleaned_data.get(f"comment_{criterion.pk}", "")))
        return result
