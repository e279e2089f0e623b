from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from portal import uploads

from .models import AgreementTerms


class SignForm(forms.Form):
    signer_name = forms.CharField(
        label=_("Your name"), max_length=200, help_text=_("Type your first name and last name."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    agree = forms.BooleanField(label=_("I have read the agreement and I agree."), required=True)
    signature = forms.CharField(required=False, widget=forms.HiddenInput)
    text_sha256 = forms.CharField(widget=forms.HiddenInput, max_length=64)
    lang = forms.CharField(widget=forms.HiddenInput, max_length=8)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class QuestionForm(forms.Form):
    question = forms.CharField(label=_("Your question"), max_length=2000,
                               widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class PaperScanForm(forms.Form):
    scan = forms.FileField(label=_("Scan of the signed letter (PDF, PNG or JPEG, at most 10 MB)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Mark as signed on paper")))

    def clean_scan(self):
        scan = self.cleaned_data["scan"]
        uploads.check_upload(scan, uploads.AGREEMENT_SCAN)  # also names it .pdf/.png/.jpg by its content
        return scan


class TermsForm(forms.ModelForm):
    confirm_high_amounts = forms.BooleanField(
        label=_("I have read the warning and I keep these amounts."), required=False,
    )

    class Meta:
        model = AgreementTerms
        fields = ["deposit", "damage_cap", "return_policy", "contact_name", "contact_phone", "contact_email",
                  "support_organisation", "support_contact", "extra_text", "link_valid_days"]
        widgets = {"extra_text": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["link_valid_days"].min_value = 1
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Save as a new version")))

    def clean(self):
        data = super().clean()
        deposit, cap = data.get("deposit"), data.get("damage_cap")
        if deposit is None or cap is None:
            return data
        high = deposit > AgreementTerms.DEPOSIT_WARNING_ABOVE or cap > AgreementTerms.DAMAGE_CAP_WARNING_ABOVE
        self.needs_warning = high
        if high and not data.get("confirm_high_amounts"):
            self.add_error("confirm_high_amounts", _("Read the warning and confirm the amounts, or lower them."))
        return data
