"""Forms of the device import: the upload with the defaults for the whole file, the columns, the confirm."""
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from portal import uploads
from portal.column_forms import check_each_column_once

from . import device_presets
from .models import Device

# An inventory file of a few thousand devices is well under 100 kB; 2 MB leaves room without letting
# a stray video or spreadsheet dump fill the session table (the preview keeps the file there).
MAX_IMPORT_BYTES = uploads.DEVICE_CSV.max_bytes
RECOGNISE = "auto"


class DeviceImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("Separated by semicolons, commas or tabs, as Excel, Google Admin or Intune save it. At most 2 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,text/csv,text/plain"}),
    )
    preset = forms.ChoiceField(label=_("Kind of file"), choices=[(RECOGNISE, _("Recognise it from the file")),
                                                                 *device_presets.CHOICES])
    funding_source = forms.ChoiceField(
        label=_("Funding source of new devices"), required=False,
        choices=[("", _("— from the file —")), *Device.Funding.choices],
        help_text=_("For every new device whose row has no funding source. Chosen once for the whole file."))
    kind = forms.ChoiceField(label=_("Kind of new devices"), required=False,
                             choices=[("", _("— from the file —")), *Device.Kind.choices],
                             help_text=_("For new devices whose row does not say it (a Google Admin export: "
                                         "Chromebook)."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_id = "device-import"
        self.helper.add_input(Submit("submit", _("Check the file")))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        uploads.check_upload(upload, uploads.DEVICE_CSV)
        return upload.read()


class DeviceColumnsForm(forms.Form):
    """Which column of this file holds what; the choices are the file's own header."""

    def __init__(self, *args, header: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("— not in the file —")), *((name, name) for name in header)]
        for name in device_presets.FIELDS:
            self.fields[name] = forms.ChoiceField(label=device_presets.LABELS[name], choices=choices, required=False)
        self.fields["asset_tag"].help_text = _("Without it, the serial number is the asset tag.")
        self.helper = FormHelper()
        self.helper.form_id = "device-columns"
        self.helper.add_input(Submit("submit", _("Check the file")))

    def clean(self):
        cleaned = super().clean()
        check_each_column_once(cleaned)
        if not cleaned.get("asset_tag") and not cleaned.get("serial_number"):
            raise forms.ValidationError(_("Choose the column of the asset tag or of the serial number."))
        return cleaned

    @property
    def columns(self) -> dict[str, str]:
        """Every field: a column, or empty for "not in the file" (so the preset's column is dropped too)."""
        return {name: self.cleaned_data.get(name) or "" for name in device_presets.FIELDS}


class DeviceImportConfirmForm(forms.Form):
    """Names the previewed file by its SHA-256 and the preview by its plan's fingerprint, so the confirm
    imports exactly what was shown."""

    sha256 = forms.CharField(widget=forms.HiddenInput, max_length=64)
    fingerprint = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_action = "device_import"  # crispy reverses URL names
        self.helper.add_input(Submit("confirm", _("Import these devices")))
