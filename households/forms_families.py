"""Forms of the household, internet code, survey and support pages."""
import hashlib
import uuid

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Hidden, Submit
from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal import uploads
from portal.csvfiles import count_rows
from portal.phones import to_e164

from .models import Guardian, Household, Referral, SupportOrganisation, SurveyAnswer


def _helper(label, form_id=None):
    helper = FormHelper()
    helper.add_input(Submit("submit", label))
    if form_id:
        helper.form_id = form_id
    return helper


class HouseholdForm(forms.ModelForm):
    class Meta:
        model = Household
        fields = ["name", "preferred_language", "contact_channel", "device_at_home", "internet_at_home"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Save"), "household-form")


class GuardianForm(forms.ModelForm):
    class Meta:
        model = Guardian
        fields = ["name", "relation", "email", "phone", "smartschool_coaccount"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Save"), "guardian-form")

    def clean_phone(self):
        """Stored as E.164 (+32470123456), so one phone written two ways is one address."""
        raw = self.cleaned_data["phone"].strip()
        if not raw:
            return ""
        number = to_e164(raw)
        if number is None:
            raise forms.ValidationError(_("This is not a phone number. Write it like 0470 12 34 56 or +32 470 12 34 56."))
        return number


class CsvUploadForm(forms.Form):
    file = forms.FileField(label=_("CSV file"), widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,text/csv"}))
    # New with every page shown: a second post of the same page and file is the same import (portal/jobs.py).
    upload_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)

    def __init__(self, *args, submit=None, form_id=None, **kwargs):
        kwargs.setdefault("initial", {"upload_key": uuid.uuid4().hex})
        super().__init__(*args, **kwargs)
        self.helper = _helper(submit or _("Import"), form_id)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        uploads.check_upload(upload, uploads.CODES_CSV)
        self.data_bytes = upload.read()
        self.row_count = count_rows(self.data_bytes)
        return upload

    def job_key(self, kind: str) -> str:
        """The page's key and the file's digest: the same post twice is one import, another file is another."""
        page = self.cleaned_data.get("upload_key") or uuid.uuid4().hex
        return f"{kind}:{page}:{hashlib.sha256(self.data_bytes).hexdigest()[:32]}"


class CodeImportForm(CsvUploadForm):
    batch = forms.CharField(label=_("Batch name"), max_length=120, required=False,
                            help_text=_("For example the provider's delivery note."))
    field_order = ["file", "batch"]


class CodeHandOutForm(forms.Form):
    provider = forms.ChoiceField(label=_("Provider"), required=False)

    def __init__(self, *args, providers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = [("", _("Any provider"))] + [(p, p) for p in providers]
        self.helper = _helper(_("Hand out an internet code"), "code-hand-out-form")


class CodeSendForm(forms.Form):
    channel = forms.ChoiceField(label=_("Send by"), choices=[
        (Household.Channel.EMAIL, _("E-mail")), (Household.Channel.SMS, _("Text message (SMS)"))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Send the code to the family"), "code-send-form")


class CodeExtendForm(forms.Form):
    until = forms.DateField(label=_("Extended until"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Extend"), "code-extend-form")


class SurveyCreateForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, initial=_("Computer and internet at home"))
    grades = forms.TypedMultipleChoiceField(label=_("Grades"), coerce=int, required=False,
                                            widget=forms.CheckboxSelectMultiple)
    class_names = forms.MultipleChoiceField(label=_("Classes"), required=False, widget=forms.CheckboxSelectMultiple)
    channel = forms.ChoiceField(label=_("Send by"), choices=[
        ("household", _("Each family's own contact channel")),
        (Household.Channel.EMAIL, _("E-mail")),
        (Household.Channel.SMS, _("Text message (SMS)")),
        (Household.Channel.PAPER, _("Letter on paper")),
    ])

    def __init__(self, *args, grades=(), classes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grades"].choices = [(g, str(g)) for g in grades]
        self.fields["class_names"].choices = [(c, c) for c in classes]
        self.helper = _helper(_("Send the survey"), "survey-form")

    def clean(self):
        data = super().clean()
        if not data.get("grades") and not data.get("class_names"):
            raise forms.ValidationError(_("Choose at least one grade or class."))
        return data


class SurveyAnswerForm(forms.ModelForm):
    """The family's one-page form: big radio buttons, plain language."""

    YES_NO = [("yes", _("Yes")), ("no", _("No"))]
    wants_device = forms.TypedChoiceField(label=_("Would you like to borrow a computer from the school?"),
                                          choices=YES_NO, widget=forms.RadioSelect, coerce=lambda v: v == "yes")
    wants_internet = forms.TypedChoiceField(label=_("Would you like free internet at home?"),
                                            choices=YES_NO, widget=forms.RadioSelect, coerce=lambda v: v == "yes")
    wants_help = forms.TypedChoiceField(label=_("Would you like help to get started?"),
                                        choices=YES_NO, widget=forms.RadioSelect, coerce=lambda v: v == "yes")

    class Meta:
        model = SurveyAnswer
        fields = ["computer", "shared_with", "internet", "wants_device", "wants_internet", "wants_help"]
        labels = {
            "computer": _("Is there a computer at home that your child can use for school work?"),
            "shared_with": _("Do you share it? With how many people?"),
            "internet": _("Is there internet at home?"),
        }
        widgets = {"computer": forms.RadioSelect, "internet": forms.RadioSelect,
                   "shared_with": forms.NumberInput(attrs={"min": 1, "max": 20, "inputmode": "numeric"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("computer", "internet"):
            self.fields[name].choices = [c for c in self.fields[name].choices if c[0]]
        self.fields["shared_with"].required = False
        self.fields["shared_with"].min_value = 1
        self.helper = FormHelper()
        self.helper.form_tag = False


class RecordAnswerForm(SurveyAnswerForm):
    method = forms.ChoiceField(label=_("How did the family answer?"), choices=[
        (SurveyAnswer.Method.PAPER, _("On paper")), (SurveyAnswer.Method.PHONE, _("By phone"))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Save the answers"), "record-answer-form")


class ReferralForm(forms.ModelForm):
    class Meta:
        model = Referral
        fields = ["organisation", "reason", "note"]

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organisations is not None:
            self.fields["organisation"].queryset = organisations
        self.helper = _helper(_("Save the referral"), "referral-form")


class ReferralStatusForm(forms.ModelForm):
    class Meta:
        model = Referral
        fields = ["status", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Save"), "referral-status-form")


def _https_by_default(db_field, **kwargs):
    # "www.ocmw.be" typed without a scheme becomes https://, as Django 6 will do for every URLField.
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


class SupportOrganisationForm(forms.ModelForm):
    class Meta:
        model = SupportOrganisation
        fields = ["name", "kind", "municipality", "address", "phone", "email", "website", "helps_with", "active"]
        formfield_callback = _https_by_default

    def __init__(self, *args, municipalities=(), **kwargs):
        super().__init__(*args, **kwargs)
        if municipalities:
            current = self.instance.municipality if self.instance.pk else ""
            choices = sorted(set(municipalities) | ({current} if current else set()))
            self.fields["municipality"] = forms.ChoiceField(label=_("Municipality"), choices=[(m, m) for m in choices])
        self.helper = _helper(_("Save"), "organisation-form")
        if self.instance.pk:
            self.helper.add_input(Hidden("organisation", self.instance.pk))
