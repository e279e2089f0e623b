"""Forms for one pupil by hand: add a pupil, mark what a pupil needs."""
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.languages import FAMILY_LANGUAGES

from .models import Pupil
from .roster_grades import grade_from_class, highest_grade
from .roster_rows import normalise_number


class PupilCreateForm(forms.Form):
    internal_number = forms.CharField(
        label=_("Pupil number"), max_length=32,
        help_text=_("The number in the school administration, so the next pupil list import finds this pupil."))
    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    class_name = forms.CharField(label=_("Class"), max_length=32)
    grade = forms.TypedChoiceField(label=_("Grade (leerjaar)"), coerce=int, required=False, empty_value=None,
                                   help_text=_("Leave empty to take it from the class name or the class map."))
    sibling_number = forms.CharField(
        label=_("Pupil number of a brother or sister at this school"), max_length=32, required=False,
        help_text=_("The new pupil then joins that family; leave empty for a new family."))
    guardian_name = forms.CharField(label=_("Guardian's name"), max_length=200, required=False)
    guardian_email = forms.EmailField(label=_("Guardian's e-mail address"), required=False)
    guardian_phone = forms.CharField(label=_("Guardian's mobile phone"), max_length=32, required=False)
    language = forms.ChoiceField(label=_("Family language"), required=False,
                                 choices=[("", _("— Dutch unless you choose —")), *FAMILY_LANGUAGES])
    needs_device = forms.BooleanField(label=_("Needs a device"), required=False)
    needs_internet = forms.BooleanField(label=_("Needs internet"), required=False)

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school
        self.fields["grade"].choices = [("", "—"), *((n, n) for n in range(1, highest_grade(school) + 1))]
        self.helper = FormHelper()
        self.helper.form_id = "pupil-create"
        self.helper.add_input(Submit("submit", _("Add the pupil")))

    def clean_guardian_phone(self):
        return self.cleaned_data["guardian_phone"].strip()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("grade") is None and cleaned.get("class_name"):
            grade = grade_from_class(cleaned["class_name"], highest_grade(self.school),
                                     self.school.roster_class_grades)
            if grade is None:
                self.add_error("grade", _("The class name does not say the grade: choose it."))
            cleaned["grade"] = grade
        number = normalise_number(cleaned.get("sibling_number") or "")
        cleaned["sibling"] = None
        if number:
            cleaned["sibling"] = Pupil.objects.filter(school=self.school, internal_number=number).select_related(
                "household").first()
            if cleaned["sibling"] is None:
                self.add_error("sibling_number", _("This school has no pupil with this number."))
        return cleaned

    def service_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("sibling_number")
        return data


class PupilNeedsForm(forms.ModelForm):
    class Meta:
        model = Pupil
        fields = ["needs_device", "needs_internet"]
        labels = {"needs_device": _("Needs a device"), "needs_internet": _("Needs internet")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_id = "pupil-needs"
        self.helper.form_action = reverse("pupil_needs", kwargs={"pupil_id": self.instance.pk})
        self.helper.add_input(Submit("submit", _("Save what this pupil needs")))
