"""Forms of the school-year desk pages: hand-overs, stocktake scans, a pupil who left."""
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .transfers import school_on_portal


def _helper(label):
    helper = FormHelper()
    helper.add_input(Submit("submit", label))
    return helper


class HandOverForm(forms.Form):
    school_number = forms.CharField(label=_("School number (instellingsnummer) of the new school"), max_length=12)
    note = forms.CharField(label=_("Note for the new school"), required=False, max_length=300,
                           help_text=_("No names: the new school finds the pupil in its own pupil list."))

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school
        self.helper = _helper(_("Hand the device over"))

    def clean_school_number(self):
        self.to_school = school_on_portal(self.cleaned_data["school_number"], not_school=self.school)
        return self.cleaned_data["school_number"]


class AcceptForm(forms.Form):
    asset_tag = forms.CharField(label=_("Asset tag in your school"), max_length=40,
                                help_text=_("Keep the tag on the label, or give it one of your own."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Take into our stock"))


class ScanForm(forms.Form):
    asset_tag = forms.CharField(label=_("Asset tag"), max_length=40, widget=forms.TextInput(attrs={
        "autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters",
        "class": "form-control form-control-lg", "autofocus": True, "data-scan": "1"}))


class LeftForm(forms.Form):
    left_on = forms.DateField(label=_("Left the school on"), widget=forms.DateInput(attrs={"type": "date"},
                                                                                   format="%Y-%m-%d"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["left_on"].initial = timezone.localdate()
        self.helper = _helper(_("Mark as left the school"))

    def clean_left_on(self):
        if self.cleaned_data["left_on"] > timezone.localdate():
            raise ValidationError(_("The date cannot be in the future."))
        return self.cleaned_data["left_on"]
