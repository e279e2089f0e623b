"""Forms of the inventory pages: one device, and the CSV upload."""
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from portal import uploads

from .inventory import EDITABLE_FIELDS, MANUAL_STATUSES, duplicate_tag_message, tag_in_use
from .models import Device, normalize_asset_tag

# An inventory file of a few thousand devices is well under 100 kB; 2 MB leaves room without letting
# a stray video or spreadsheet dump fill the session table (the preview keeps the file there).
MAX_IMPORT_BYTES = uploads.DEVICE_CSV.max_bytes


def _field(name, **kwargs):
    return Device._meta.get_field(name).formfield(**kwargs)


class DeviceForm(forms.Form):
    """A plain form rather than a ModelForm: the service, not the form, changes the device."""

    asset_tag = _field("asset_tag", help_text=_("The number on the label; spaces are removed and letters capitalised."))
    kind = _field("kind")
    funding_source = _field("funding_source")
    make_model = _field("make_model")
    serial_number = _field("serial_number")
    purchase_value = _field("purchase_value", min_value=0)
    accessories = forms.MultipleChoiceField(
        label=_("Accessories"), choices=Device.Accessory.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    status = forms.ChoiceField(label=_("Status"), choices=[
        (value, label) for value, label in Device.Status.choices if value in MANUAL_STATUSES
    ])

    def __init__(self, *args, school, device=None, **kwargs):
        self.school, self.device = school, device
        if device is not None:
            kwargs.setdefault("initial", {field: getattr(device, field) for field in EDITABLE_FIELDS})
        super().__init__(*args, **kwargs)
        if device is not None and device.status == Device.Status.ON_LOAN:
            # On loan is the desk's business: show it, but it cannot be changed here.
            self.fields["status"].choices = [(Device.Status.ON_LOAN, Device.Status.ON_LOAN.label)]
            self.fields["status"].disabled = True
            self.fields["status"].help_text = _("Take the device back at the desk to change this.")
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Save device")))

    def clean_asset_tag(self):
        tag = normalize_asset_tag(self.cleaned_data["asset_tag"])
        if not tag:
            raise forms.ValidationError(_("Enter an asset tag."))
        exclude = self.device.pk if self.device is not None else None
        if tag_in_use(school_id=self.school.pk, asset_tag=tag, exclude_pk=exclude):
            raise forms.ValidationError(duplicate_tag_message(tag), code="duplicate")
        return tag

    def changes(self) -> dict:
        data = dict(self.cleaned_data)
        if self.fields["status"].disabled:
            data.pop("status")
        return data


class DeviceImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("Separated by semicolons or commas, as Excel saves it. At most 2 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_file(self):
        upload = self.cleaned_data["file"]
        uploads.check_upload(upload, uploads.DEVICE_CSV)
        return upload.read()


class DeviceImportConfirmForm(forms.Form):
    """Names the previewed file by its SHA-256, so the confirm imports exactly what was shown."""

    sha256 = forms.CharField(widget=forms.HiddenInput, max_length=64)
    # Which preview this confirms: the import's key, so a second click finds the first one's job.
    upload = forms.CharField(widget=forms.HiddenInput, max_length=40, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("confirm", _("Import these devices")))
