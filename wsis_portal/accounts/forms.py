from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Gender, User


class ProfileForm(forms.ModelForm):
    organisation_name = forms.CharField(
        label=_("Organisation name"),
        max_length=255,
        help_text=_("The entity you act for. Colleagues who type the same name and country share it."),
    )
    organisation_website = forms.URLField(label=_("Organisation website"), required=False, assume_scheme="https")

    class Meta:
        model = User
        fields = ["first_name", "last_name", "job_title", "stakeholder_type", "country", "preferred_language", "gender"]
        labels = {"first_name": _("First name"), "last_name": _("Last name")}
        help_texts = {
            "gender": _("Optional. Used only for the gender balance figures the forum reports."),
            "preferred_language": _("Emails and pages are shown in this language."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ["first_name", "last_name", "stakeholder_type", "country"]:
            self.fields[name].required = True
        for name, autocomplete in [
            ("first_name", "given-name"),
            ("last_name", "family-name"),
            ("job_title", "organization-title"),
            ("organisation_name", "organization"),
            ("country", "country"),
            ("organisation_website", "url"),
        ]:
            self.fields[name].widget.attrs["autocomplete"] = autocomplete
        self.fields["gender"].choices = [("", _("Not given")), *Gender.choices]
        organisation = self.instance.organisation
        if organisation is not None:
            self.fields["organisation_name"].initial = organisation.name
            self.fields["organisation_website"].initial = organisation.website
        self.helper = FormHelper()
        # The server's messages, next to each field, replace the browser's own bubbles.
        self.helper.attrs = {"novalidate": ""}
        self.helper.layout = Layout(
            Fieldset(_("About you"), "first_name", "last_name", "job_title", "gender"),
            Fieldset(
                _("Your organisation"), "organisation_name", "organisation_website", "stakeholder_type", "country"
            ),
            Fieldset(_("Preferences"), "preferred_language"),
            Submit("save", _("Save profile")),
        )


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("To confirm that it is you."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.helper = FormHelper()
        self.helper.add_input(Submit("delete", _("Delete my account"), css_class="btn-danger"))

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("This password is not correct."))
        return password
