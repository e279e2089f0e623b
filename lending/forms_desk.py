"""Forms of the lending desk. The scan screens are laid out by hand (compact, keyboard-first);
the other forms use crispy-forms' default layout."""
from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from households.models import Pupil
from portal import uploads
from portal.models import StaffMember

from .desk import cap_message, not_available_message
from .due_dates import closed_day_message
from .models import Device, Incident, Loan, normalize_asset_tag
from .terms import current_terms

SEARCH_PUPILS = 10
SEARCH_STAFF = 5


def search_borrowers(school, query: str) -> list[tuple[str, object]]:
    """Active pupils and staff whose name or class matches every word typed: two bounded queries."""
    words = query.split()[:4]
    if not words:
        return []
    pupils = Pupil.objects.filter(school=school, active=True)
    staff = StaffMember.objects.filter(school=school, active=True)
    for word in words:
        pupils = pupils.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word)
                               | Q(class_name__istartswith=word))
        staff = staff.filter(name__icontains=word)
    pupils = pupils.annotate(
        has_loan=Exists(Loan.objects.filter(pupil=OuterRef("pk"), status=Loan.Status.ACTIVE))
    ).select_related("household").order_by("class_name", "last_name", "first_name")[:SEARCH_PUPILS]
    return [(f"pupil:{p.pk}", p) for p in pupils] + [(f"staff:{s.pk}", s) for s in staff[:SEARCH_STAFF]]


def resolve_borrower(school, value: str):
    """'pupil:12' or 'staff:3' → the pupil or staff member of this school, or None."""
    kind, _sep, pk = (value or "").partition(":")
    if not pk.isdigit():
        return None
    if kind == "pupil":
        return Pupil.objects.filter(school=school, active=True, pk=pk).select_related("household").first()
    if kind == "staff":
        return StaffMember.objects.filter(school=school, active=True, pk=pk).first()
    return None


def _device_by_tag(school, raw):
    tag = normalize_asset_tag(raw)
    device = Device.objects.filter(school=school, asset_tag=tag).first()
    if device is None:
        raise forms.ValidationError(_("No device with asset tag %(tag)s at your school.") % {"tag": tag})
    device.school = school  # the request's school: no second query for it
    return device


def _scan_widget():
    return forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters",
                                  "class": "form-control form-control-lg"})


class CheckoutForm(forms.Form):
    asset_tag = forms.CharField(label=gettext_lazy("Asset tag"), max_length=40, widget=_scan_widget())
    q = forms.CharField(label=gettext_lazy("Borrower: type part of a name or class"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"autocomplete": "off", "type": "search"}))
    searched = forms.CharField(required=False, widget=forms.HiddenInput)
    borrower = forms.CharField(required=False, widget=forms.HiddenInput)
    due_on = forms.DateField(label=gettext_lazy("Due back on"), required=False,
                             help_text=gettext_lazy("Empty: the school's policy decides."),
                             widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    condition_out = forms.ChoiceField(label=gettext_lazy("Condition"), choices=Loan.Condition.choices,
                                      initial=Loan.Condition.GOOD)
    accessories = forms.MultipleChoiceField(label=gettext_lazy("Accessories handed out"), required=False,
                                            choices=Device.Accessory.choices, initial=[Device.Accessory.CHARGER],
                                            widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=1000,
                           widget=forms.Textarea(attrs={"rows": 2}))
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)
    # Made fresh for each confirm screen; a second submit of that screen finds the first loan.
    checkout_key = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, school, handout=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school
        self.handout = handout
        self.device = self.borrower_object = None
        self.candidates = []

    def clean_asset_tag(self):
        device = _device_by_tag(self.school, self.cleaned_data["asset_tag"])
        if device.status != Device.Status.AVAILABLE:
            raise forms.ValidationError(not_available_message(device))
        self.device = device
        return device.asset_tag

    def clean_due_on(self):
        due_on = self.cleaned_data.get("due_on")
        if due_on and due_on < timezone.localdate():
            raise forms.ValidationError(_("The due date cannot be in the past."))
        closed = closed_day_message(self.school, due_on) if due_on else None
        if closed:
            raise forms.ValidationError(closed)
        return due_on

    def clean(self):
        data = super().clean()
        value = data.get("borrower", "")
        query = (data.get("q") or "").strip()
        if self.handout:
            self.borrower_object = resolve_borrower(self.school, value) if value.startswith("pupil:") else None
            if self.borrower_object is None:
                self.add_error(None, _("This pupil is no longer in the queue."))
            return data
        if query and query != data.get("searched", ""):
            value = ""  # a new search: the earlier choice no longer counts
        if value:
            self.borrower_object = resolve_borrower(self.school, value)
            if self.borrower_object is None:
                self.add_error("q", _("Choose the borrower from the list."))
        elif query:
            self.candidates = search_borrowers(self.school, query)
            if len(self.candidates) == 1:
                self.borrower_object = self.candidates[0][1]
                data["borrower"] = self.candidates[0][0]
            elif not self.candidates:
                self.add_error("q", _("No pupil or staff member matches “%(query)s”.") % {"query": query})
            else:
                self.add_error("q", _("Several people match: choose one from the list."))
        elif data.get("confirm"):
            self.add_error("q", _("Type part of the borrower's name or class."))
        # else: only the tag so far; the cursor moves on to the borrower without an error
        return data

    @property
    def borrower_value(self):
        obj = self.borrower_object
        if obj is None:
            return ""
        return f"pupil:{obj.pk}" if isinstance(obj, Pupil) else f"staff:{obj.pk}"

    def service_kwargs(self):
        obj = self.borrower_object
        data = self.cleaned_data
        return {
            "device": self.device,
            "pupil": obj if isinstance(obj, Pupil) else None,
            "staff_member": obj if isinstance(obj, StaffMember) else None,
            "due_on": data.get("due_on"),
            "condition_out": data["condition_out"],
            "accessories": data.get("accessories") or [],
            "note": data.get("note", ""),
            "checkout_key": data.get("checkout_key"),
        }


class CheckinForm(forms.Form):
    asset_tag = forms.CharField(label=gettext_lazy("Asset tag"), max_length=40, widget=_scan_widget())
    condition_in = forms.ChoiceField(label=gettext_lazy("Condition"), choices=Loan.Condition.choices,
                                     initial=Loan.Condition.GOOD, widget=forms.RadioSelect)
    accessories_in = forms.MultipleChoiceField(label=gettext_lazy("Accessories returned"), required=False,
                                               choices=Device.Accessory.choices, widget=forms.CheckboxSelectMultiple)
    return_photo = forms.FileField(label=gettext_lazy("Photo (optional)"), required=False,
                                   help_text=gettext_lazy("JPEG, PNG or WebP, at most 5 MB."),
                                   widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=1000,
                           widget=forms.Textarea(attrs={"rows": 2}))
    send_to_repair = forms.BooleanField(label=gettext_lazy("Send to repair"), required=False)
    supplier = forms.CharField(label=gettext_lazy("Repairer"), required=False, max_length=200)
    record_incident = forms.BooleanField(label=gettext_lazy("Record the damage as an incident"), required=False)
    # One line, so Enter takes the device back (damaged check-in: Down, Down, Tab, the description, Enter).
    incident_description = forms.CharField(label=gettext_lazy("What happened"), required=False, max_length=2000)
    cost_to_family = forms.DecimalField(label=gettext_lazy("Cost to the family (euro)"), required=False, min_value=0,
                                        max_digits=7, decimal_places=2, initial=Decimal("0"))
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school
        self.loan = None

    def clean_asset_tag(self):
        device = _device_by_tag(self.school, self.cleaned_data["asset_tag"])
        self.loan = (Loan.objects.filter(device=device, status=Loan.Status.ACTIVE)
                     .select_related("device", "pupil", "staff_member").first())
        if self.loan is None:
            raise forms.ValidationError(
                _("Device %(tag)s is not on loan (status: %(status)s).")
                % {"tag": device.asset_tag, "status": device.get_status_display()})
        return device.asset_tag

    def clean_return_photo(self):
        photo = self.cleaned_data.get("return_photo")
        if not photo:
            return photo
        uploads.check_upload(photo, uploads.PHOTO)
        return photo

    def clean(self):
        data = super().clean()
        if data.get("record_incident"):
            cap = current_terms(self.school).damage_cap
            if (data.get("cost_to_family") or 0) > cap:
                self.add_error("cost_to_family", cap_message(cap))
        return data

    def service_kwargs(self):
        data = self.cleaned_data
        return {
            "loan": self.loan,
            "condition_in": data["condition_in"],
            "accessories_in": data.get("accessories_in") or [],
            "return_photo": data.get("return_photo"),
            "note": data.get("note", ""),
            "send_to_repair": data.get("send_to_repair", False),
            "supplier": data.get("supplier", ""),
            "incident_description": data.get("incident_description", "") if data.get("record_incident") else None,
            "cost_to_family": data.get("cost_to_family") or Decimal("0"),
        }


def _helper(label):
    helper = FormHelper()
    helper.add_input(Submit("submit", label))
    return helper


class IncidentForm(forms.ModelForm):
    class Meta:
        model = Incident
        fields = ["kind", "description", "cost_to_family"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.cap = current_terms(school).damage_cap
        self.fields["cost_to_family"].min_value = 0
        self.fields["cost_to_family"].help_text = cap_message(self.cap)
        self.helper = _helper(_("Record"))

    def clean_cost_to_family(self):
        cost = self.cleaned_data["cost_to_family"] or Decimal("0")
        if cost < 0 or cost > self.cap:
            raise forms.ValidationError(cap_message(self.cap))
        return cost


class RepairSendForm(forms.Form):
    supplier = forms.CharField(label=gettext_lazy("Repairer"), required=False, max_length=200)
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=1000,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Send to repair"))


class RepairBackForm(forms.Form):
    cost = forms.DecimalField(label=gettext_lazy("Cost of the repair (euro)"), min_value=0, max_digits=8,
                              decimal_places=2, initial=Decimal("0"))
    back_on = forms.DateField(label=gettext_lazy("Back on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["back_on"].initial = timezone.localdate()
        self.helper = _helper(_("Device is back"))

    def clean_back_on(self):
        back_on = self.cleaned_data["back_on"]
        if back_on > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return back_on


class LeaverForm(forms.Form):
    outcome = forms.ChoiceField(
        label=gettext_lazy("The pupil leaves the school"), widget=forms.RadioSelect,
        choices=[("return", gettext_lazy("The device comes back to school")),
                 ("transfer", gettext_lazy("The device goes with the pupil to the new school"))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("End the loan"))


class YearEndForm(forms.Form):
    renew = forms.MultipleChoiceField(label=gettext_lazy("Pupils who stay: renew until next 31 August"), required=False,
                                      widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, loans, **kwargs):
        super().__init__(*args, **kwargs)
        self.loans = loans
        self.fields["renew"].choices = [
            (str(loan.pk), f"{loan.pupil.full_name} ({loan.pupil.class_name}) – {loan.device.asset_tag}")
            for loan in loans
        ]
        self.helper = _helper(_("Save the choices"))

    def renew_ids(self):
        return {int(pk) for pk in self.cleaned_data["renew"]}
