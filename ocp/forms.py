"""The step forms of each OCP entry. Every field is optional while drafting:
completeness is checked when the entry is submitted."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from wsis_portal.editions.models import Track

from . import models as ocp
from .models import BIOGRAPHY_WORD_LIMIT


class StepForm(forms.ModelForm):
    """A step of an entry; ``call`` limits the edition's own choices (tracks)."""

    def __init__(self, *args, call, **kwargs):
        super().__init__(*args, **kwargs)
        self.call = call
        for form_field in self.fields.values():
            form_field.required = False


def _checkboxes():
    return {"action_lines": forms.CheckboxSelectMultiple, "sdgs": forms.CheckboxSelectMultiple}


class ContributionThemesForm(StepForm):
    class Meta:
        model = ocp.Contribution
        fields = ["thematic_aspects", "suggested_themes", "action_lines", "sdgs"]
        widgets = _checkboxes()


class ContributionFormatForm(StepForm):
    class Meta:
        model = ocp.Contribution
        fields = ["format_innovations", "comments"]


class WorkshopBasicsForm(StepForm):
    # Declared, not generated: tracks belong to a tenant, and a generated
    # field would query them (outside any scope) when this module is imported.
    track = forms.ModelChoiceField(
        queryset=Track._base_manager.none(),
        required=False,
        label=capfirst(_("special track")),
        help_text=_("Leave empty if the workshop belongs to no special track."),
    )

    class Meta:
        model = ocp.WorkshopRequest
        fields = ["title", "session_format", "track", "language", "binding_request"]

    def __init__(self, *args, call, **kwargs):
        super().__init__(*args, call=call, **kwargs)
        self.fields["track"].queryset = Track.objects.filter(edition_id=call.edition_id)


class WorkshopContentForm(StepForm):
    class Meta:
        model = ocp.WorkshopRequest
        fields = [
            "abstract",
            "action_lines",
            "sdgs",
            "co_organisers",
            "moderator_name",
            "moderator_organisation",
            "technical_needs",
        ]
        widgets = _checkboxes()


class SpeakerForm(forms.ModelForm):
    class Meta:
        model = ocp.Speaker
        fields = ["name", "title", "organisation", "country", "gender", "participation"]


SpeakerFormSet = forms.inlineformset_factory(
    ocp.WorkshopRequest,
    ocp.Speaker,
    form=SpeakerForm,
    extra=1,
    can_delete=True,
    can_delete_extra=False,
    max_num=30,
    validate_max=True,
)


class ExhibitionSpaceForm(StepForm):
    class Meta:
        model = ocp.ExhibitionRequest
        fields = ["space_size", "showcase", "action_lines", "sdgs", "logo"]
        widgets = _checkboxes()


class ExhibitionNeedsForm(StepForm):
    class Meta:
        model = ocp.ExhibitionRequest
        fields = ["needs_power", "needs_internet", "furniture_needs"]


class SpeakerRecommendationForm(StepForm):
    class Meta:
        model = ocp.SpeakerRecommendation
        fields = ["speaker_name", "speaker_title", "speaker_organisation", "topic", "reason"]


class HltfMechanismForm(StepForm):
    """The mechanism is chosen among the tenant's recognised mechanisms that
    the entry's organisation belongs to; the nominating stakeholder type
    follows the chosen mechanism, so nobody types it twice."""

    mechanism = forms.ChoiceField(
        label=capfirst(_("coordination mechanism")),
        required=False,
        widget=forms.RadioSelect,
        help_text=_("The stakeholder coordination mechanism that nominates this person."),
    )

    class Meta:
        model = ocp.HltfNomination
        # The stakeholder type stays listed: the checklist of what is missing
        # sends the person to this step for it.
        fields = ["nominating_stakeholder_type", "mechanism"]

    def __init__(self, *args, call, **kwargs):
        from .facilitators import mechanisms_of_organisation

        super().__init__(*args, call=call, **kwargs)
        del self.fields["nominating_stakeholder_type"]
        # Validation writes the chosen type on the instance: remember the stored one.
        self.stored_stakeholder_type_id = self.instance.nominating_stakeholder_type_id
        self.mechanisms = {
            mechanism.name: mechanism
            for mechanism in mechanisms_of_organisation(
                tenant_id=call.edition.tenant_id, organisation_id=self.instance.organisation_id
            )
        }
        field = self.fields["mechanism"]
        field.choices = [
            (name, f"{name} ({mechanism.stakeholder_type})") for name, mechanism in self.mechanisms.items()
        ]
        stored = self.instance.mechanism
        if stored and stored not in self.mechanisms:
            # A draft started before mechanisms were recorded keeps its text
            # until the person chooses one of theirs.
            field.help_text = _(
                "Your draft names “%(mechanism)s”, which is not a recognised mechanism of your organisation: "
                "choose one of yours."
            ) % {"mechanism": stored}
        if not self.mechanisms:
            field.help_text = _(
                "Your organisation belongs to no recognised stakeholder coordination mechanism; "
                "please contact the secretariat."
            )

    def clean(self):
        cleaned = super().clean()
        if "mechanism" in cleaned:
            mechanism = self.mechanisms.get(cleaned["mechanism"])
            cleaned["nominating_stakeholder_type"] = mechanism.stakeholder_type if mechanism else None
        return cleaned

    @property
    def changed_data(self):
        changed = list(super().changed_data)
        if "nominating_stakeholder_type" in getattr(self, "cleaned_data", {}):
            chosen = self.cleaned_data["nominating_stakeholder_type"]
            if (chosen.pk if chosen else None) != self.stored_stakeholder_type_id:
                changed.append("nominating_stakeholder_type")
        return changed


class HltfNomineeForm(StepForm):
    class Meta:
        model = ocp.HltfNomination
        fields = [
            "nominee_name",
            "nominee_title",
            "nominee_organisation",
            "nominee_country",
            "nominee_gender",
            "nominee_email",
            "languages",
            "biography",
            "photo",
        ]
        widgets = {
            "biography": forms.Textarea(
                attrs={
                    "data-word-limit": BIOGRAPHY_WORD_LIMIT,
                    # Filled in by autosave.js as the person types.
                    "data-word-count-text": _("%(words)s of at most %(limit)s words"),
                }
            )
        }


@dataclass(frozen=True)
class Step:
    key: str
    title: Any
    form_class: type[StepForm] | None = None
    #: The step edits the workshop's speakers (a formset) rather than fields.
    speakers: bool = False
    #: Labels of ``missing_for_submission`` that are not model fields.
    also_covers: tuple = field(default_factory=tuple)

    def field_labels(self, model) -> set[str]:
        if self.form_class is None:
            return {str(label) for label in self.also_covers}
        labels = set()
        for name in self.form_class._meta.fields:
            labels.add(str(model._meta.get_field(name).verbose_name))
        return labels | {str(label) for label in self.also_covers}


STEPS: dict[type, list[Step]] = {
    ocp.Contribution: [
        Step("themes", _("Themes"), ContributionThemesForm),
        Step("format", _("Format of the forum"), ContributionFormatForm),
    ],
    ocp.WorkshopRequest: [
        Step("basics", _("Basics"), WorkshopBasicsForm),
        Step("content", _("Content"), WorkshopContentForm),
        Step("speakers", _("Speakers"), speakers=True, also_covers=(_("at least one speaker"),)),
    ],
    ocp.ExhibitionRequest: [
        Step("space", _("Space and exhibits"), ExhibitionSpaceForm),
        Step("needs", _("Practical needs"), ExhibitionNeedsForm),
    ],
    ocp.SpeakerRecommendation: [
        Step("recommendation", _("Recommendation"), SpeakerRecommendationForm),
    ],
    ocp.HltfNomination: [
        Step("mechanism", _("Nominating mechanism"), HltfMechanismForm),
        Step("nominee", _("Nominee"), HltfNomineeForm),
    ],
}


def steps_for(model) -> list[Step]:
    return STEPS[model]


def step_for_missing(model, label: str) -> Step | None:
    """The step where a missing item (as named by ``missing_for_submission``) is filled in."""
    return next((step for step in steps_for(model) if label in step.field_labels(model)), None)


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


def show_saved_files(form, entry, *, names) -> None:
    """After an invalid form saved its valid upload, show that file as the
    stored one ("Currently: ...") when the page comes back with the errors:
    a browser cannot put a file back into a file input."""
    for name in names:
        if isinstance(form.fields.get(name), forms.FileField) and name in form.files:
            form.files = form.files.copy()
            form.files.pop(name)
            form.initial[name] = getattr(entry, name)
            form._bound_fields_cache.pop(name, None)


def speakers_from_formset(formset) -> list[dict[str, Any]]:
    """The rows of a speakers formset as plain values for the service: rows
    marked for deletion, and valid rows that are new or changed; rows left
    empty or with errors are skipped (their errors are shown)."""
    items = []
    for form in formset.forms:
        cleaned = getattr(form, "cleaned_data", None) or {}
        if form.instance.pk and cleaned.get("DELETE"):
            items.append({"id": form.instance.pk, "delete": True})
            continue
        if form.errors or not cleaned or not (form.has_changed() or form.instance.pk):
            continue
        item = {name: cleaned.get(name) for name in SpeakerForm._meta.fields}
        item.update(id=form.instance.pk, delete=False)
        items.append(item)
    return items
