"""Forms of the pupil list import: upload, columns, class map, and the confirmations."""
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal import uploads
from portal.column_forms import check_each_column_once
from portal.csvfiles import ImportRejected

from . import roster_file
from .roster_presets import CHOICES, GENERIC_FIELDS, GENERIC_LABELS, REQUIRED_FIELDS

RECOGNISE = "auto"


def _helper(submit_label, *, form_id, action=None):
    helper = FormHelper()
    helper.add_input(Submit("submit", submit_label))
    helper.form_id = form_id
    if action:
        helper.form_action = action  # crispy reverses URL names
    return helper


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Export from the school administration"),
        help_text=_("CSV (semicolons, commas or tabs) or Excel (.xlsx), at most 5 MB. The first line holds the "
                    "column names."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.tsv,.xlsx,text/csv,text/plain,"
                                               "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}),
    )
    preset = forms.ChoiceField(
        label=_("Kind of list"), choices=[(RECOGNISE, _("Recognise it from the file")), *CHOICES],
        help_text=_("Smartschool, WISA and Informat exports are read as they are."),
    )

    def __init__(self, *args, remembered: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if remembered:
            self.fields["preset"].help_text = _("Last time: %(kind)s. A Smartschool, WISA or Informat export is "
                                                "recognised by its columns.") % {"kind": dict(CHOICES)[remembered]}
        self.helper = _helper(_("Upload and check"), form_id="roster-upload")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        uploads.check_upload(upload, uploads.ROSTER)
        data = upload.read()
        # The type is decided by the content: the name and the browser's content type are only claims.
        # Read whole, within the reading limits, so a file past one is refused now, not after the mapping.
        try:
            self.header = roster_file.read_table(data).columns
        except ImportRejected as rejected:
            raise forms.ValidationError([str(error) for error in rejected.errors]) from None
        self.data_bytes = data
        return upload


class RosterColumnsForm(forms.Form):
    """Which column of this file holds what; choices come from the file's own header."""

    def __init__(self, *args, header: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("— not in the file —")), *((name, name) for name in header)]
        for key in GENERIC_FIELDS:
            self.fields[key] = forms.ChoiceField(label=GENERIC_LABELS[key], choices=choices,
                                                 required=key in REQUIRED_FIELDS)
        self.fields["grade"].help_text = _("Leave empty to take the grade from the class name (“L5A” and “5A” are "
                                           "grade 5) or from the class map.")
        self.fields["household_key"].help_text = _(
            "Without it, pupils who share a guardian's e-mail address or phone number are siblings.")
        self.fields["guardian1_name"].help_text = _("A full name, or a first name and a last name below.")
        self.helper = _helper(_("Check the file"), form_id="roster-columns")

    def clean(self):
        cleaned = super().clean()
        check_each_column_once(cleaned)
        return cleaned

    @property
    def columns(self) -> dict[str, str]:
        return {name: value for name, value in self.cleaned_data.items() if value}


class ClassMapForm(forms.Form):
    """A grade for each class whose name does not say it; kept in the school's class map."""

    def __init__(self, *args, classes: list[str], highest: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.classes = classes
        grades = [("", "—"), *((str(grade), str(grade)) for grade in range(1, highest + 1))]
        for index, name in enumerate(classes):
            self.fields[f"class_{index}"] = forms.ChoiceField(label=_("Class “%(name)s” is grade") % {"name": name},
                                                              choices=grades, required=False)
        self.helper = _helper(_("Save the class map and check again"), form_id="roster-classes",
                              action="pupil_import_classes")

    @property
    def grades(self) -> dict[str, int]:
        return {name: int(self.cleaned_data[f"class_{index}"]) for index, name in enumerate(self.classes)
                if self.cleaned_data.get(f"class_{index}")}


class RosterScopeForm(forms.Form):
    whole_school = forms.ChoiceField(choices=[("1", "1"), ("0", "0")], widget=forms.HiddenInput)


class RosterConfirmForm(forms.Form):
    """The import the preview showed: its fingerprint, its key, and (for a whole school) the leavers.
    The second confirmation, above a quarter of the school, asks to type their number."""

    fingerprint = forms.CharField(widget=forms.HiddenInput, max_length=64)
    key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    leavers = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    mark_leavers = forms.BooleanField(required=False)

    def __init__(self, *args, leavers: int = 0, second: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        count = self.initial.get("leavers", leavers) if not self.is_bound else leavers
        self.fields["mark_leavers"].label = ngettext(
            "Mark this %(count)d pupil as left the school", "Mark these %(count)d pupils as left the school",
            count) % {"count": count}
        if not count or second:
            self.fields["mark_leavers"].widget = forms.HiddenInput()
        if second:
            self.fields["second_step"] = forms.CharField(widget=forms.HiddenInput, initial="1")
            self.fields["typed_leavers"] = forms.IntegerField(min_value=0, label=_(
                "Type the number of pupils to mark as left"))
        self.helper = _helper(_("Import the pupils"), form_id="roster-confirm", action="pupil_import_confirm")

    def clean(self):
        cleaned = super().clean()
        typed = cleaned.get("typed_leavers")
        if typed is not None and typed != cleaned.get("leavers"):
            self.add_error("typed_leavers", _("Type exactly the number of pupils shown."))
        return cleaned

    @property
    def second_confirmed(self) -> bool:
        return self.cleaned_data.get("typed_leavers") is not None
