"""Forms of the people pages: invitations, taking the role, staff members who borrow a device."""
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.utils.translation import gettext_lazy as _

from .models import Lop, Role, School, StaffMember


def _helper(label, form_id, action=None):
    helper = FormHelper()
    helper.form_id = form_id
    if action:
        helper.form_action = action  # crispy reverses URL names
    helper.add_input(Submit("submit", label))
    return helper


class InviteForm(forms.Form):
    """A director invites to their own school: the roles they may give."""

    email = forms.EmailField(label=_("E-mail address"))
    kind = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Role.Kind.choices)
        self.fields["kind"].choices = [(kind, labels[kind]) for kind in kinds]
        self.helper = _helper(_("Send the invitation"), "invite", "school_people_invite")


class LopInviteForm(forms.Form):
    """LOP staff invite the director of a school of their LOP."""

    school = forms.ModelChoiceField(label=_("School"), queryset=School.objects.none())
    email = forms.EmailField(label=_("E-mail address of the director"))

    def __init__(self, *args, lop: Lop, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = lop.schools.order_by("name")
        self.helper = _helper(_("Invite the director"), "lop-invite")


class AdminInviteForm(forms.Form):
    """The administrator invites LOP staff (to an LOP) or a director or coordinator (to a school)."""

    email = forms.EmailField(label=_("E-mail address"))
    kind = forms.ChoiceField(label=_("Role"), choices=Role.Kind.choices)
    lop = forms.ModelChoiceField(label=_("LOP"), queryset=Lop.objects.order_by("name"), required=False,
                                 help_text=_("For LOP staff."))
    school_number = forms.CharField(label=_("School number (instellingsnummer)"), required=False,
                                    help_text=_("For a director or a coordinator."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Send the invitation"), "admin-invite")

    def clean(self):
        cleaned = super().clean()
        kind, cleaned["school"] = cleaned.get("kind"), None
        if kind == Role.Kind.LOP_STAFF:
            if not cleaned.get("lop"):
                self.add_error("lop", _("Choose the LOP."))
        elif kind:
            cleaned["lop"] = None
            number = (cleaned.get("school_number") or "").strip()
            number = str(int(number)) if number.isascii() and number.isdigit() else number
            cleaned["school"] = School.objects.filter(instellingsnummer=number).first() if number else None
            if cleaned["school"] is None:
                self.add_error("school_number", _("There is no school with this number."))
        return cleaned


class ResendForm(forms.Form):
    send_count = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class AcceptWithPasswordForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    password1 = forms.CharField(label=_("Password"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                help_text=password_validation.password_validators_help_text_html())
    password2 = forms.CharField(label=_("The same password again"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email
        self.helper = _helper(_("Create my account"), "accept-password")

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords are not the same."))
        elif first:
            user = get_user_model()(email=self.email, first_name=cleaned.get("first_name", ""),
                                    last_name=cleaned.get("last_name", ""))
            try:
                password_validation.validate_password(first, user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class StaffMemberForm(forms.ModelForm):
    class Meta:
        model = StaffMember
        fields = ["name", "email", "active"]

    def __init__(self, *args, creating=False, **kwargs):
        super().__init__(*args, **kwargs)
        if creating:
            del self.fields["active"]
        self.fields["email"].help_text = _("Optional. Staff members who borrow a device need no login.")
        self.helper = _helper(_("Add the staff member") if creating else _("Save"),
                              "staff-member-add" if creating else "staff-member-edit",
                              "staff_member_add" if creating else None)
