"""Forms of the pupil pages: the three steps of the roster import."""
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from portal import uploads
from portal.csvfiles import ImportRejected

from . import roster, roster_file


def _helper(submit_label, *, form_tag=True):
    helper = FormHelper()
    helper.form_tag = form_tag
    helper.add_input(Submit("submit", submit_label))
    return helper


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Export from the school administration"),
        help_text=_(
            "CSV (semicolons or commas) or Excel (.xlsx), at most 5 MB. The first line holds the column names."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx,text/csv,"
                                               "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Upload and choose columns"))
        self.helper.form_id = "roster-upload"

    def clean_file(self):
        upload = self.cleaned_data["file"]
        uploads.check_upload(upload, uploads.ROSTER)
        data = upload.read()
        # The type is decided by the content: the name and the browser's content type are only claims.
        # Read whole, within the reading limits, so a file past one is refused now, not after the mapping.
        try:
            table = roster_file.read_table(data)
        except ImportRejected as rejected:
            raise forms.ValidationError([str(error) for error in rejected.errors]) from None
        self.header, self.row_count = table.columns, len(table.rows)
        self.data_bytes = data
        return upload


class RosterColumnsForm(forms.Form):
    """Which column of this file holds what; choices come from the file's own header."""

    def __init__(self, *args, header: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("— not in the file —")), *((name, name) for name in header)]
        for field in roster.FIELDS:
            self.fields[field.name] = forms.ChoiceField(label=field.label, choices=choices, required=field.required)
        self.fields["grade"].help_text = _("Leave empty to take the grade from the class name (“5A” is grade 5).")
        self.fields["household_key"].help_text = _(
            "Without it, pupils with the same guardian e-mail address, or else phone number, are siblings.")
        self.helper = _helper(_("Check the file"))
        self.helper.form_id = "roster-columns"

    def clean(self):
        cleaned = super().clean()
        chosen = [value for value in cleaned.values() if value]
        twice = sorted({value for value in chosen if chosen.count(value) > 1})
        if twice:
            raise forms.ValidationError(_("Each column can hold one thing only; chosen more than once: %(columns)s")
                                        % {"columns": ", ".join(twice)})
        return cleaned

    @property
    def columns(self) -> dict[str, str]:
        return {name: value for name, value in self.cleaned_data.items() if value}


class RosterConfirmForm(forms.Form):
    # Which upload this confirms: the import's key, so a second click finds the first one's job.
    upload = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Import the pupils"))
        self.helper.form_id = "roster-confirm"
        self.helper.form_action = "pupil_import_confirm"  # crispy reverses URL names
