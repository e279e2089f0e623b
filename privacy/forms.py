"""The erasure confirmation: the director types the family's name, so one click never erases."""
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _


class EraseHouseholdForm(forms.Form):
    confirmation = forms.CharField(label=_("Type the family name to confirm"), max_length=200)

    def __init__(self, *args, household, **kwargs):
        super().__init__(*args, **kwargs)
        self.household = household
        self.helper = FormHelper()
        self.helper.form_id = "erase-form"
        self.helper.add_input(Submit("submit", _("Erase this family's personal data"), css_class="btn-danger"))

    def clean_confirmation(self):
        typed = " ".join(self.cleaned_data["confirmation"].split())
        if typed.casefold() != " ".join(self.household.name.split()).casefold():
            raise forms.ValidationError(_("This is not the family name. Nothing was erased."))
        return typed
