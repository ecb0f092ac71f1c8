from django import forms
from django.utils.translation import gettext_lazy as _

from .enums import NewsKind


class NewsPreferencesForm(forms.Form):
    """One checkbox per kind of news; account and receipt mail is not listed:
    it always arrives."""

    def __init__(self, *args, initial_preferences: dict[str, bool], **kwargs):
        super().__init__(*args, **kwargs)
        for kind, label in NewsKind.choices:
            self.fields[kind] = forms.BooleanField(
                label=label, required=False, initial=initial_preferences.get(kind, False)
            )

    def chosen(self) -> dict[str, bool]:
        return {kind: bool(self.cleaned_data.get(kind)) for kind in NewsKind.values}


__all__ = ["NewsPreferencesForm", "_"]
