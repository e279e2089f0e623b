from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from households.models import FAMILY_LANGUAGES, Pupil
from portal.models import School, StaffMember


def normalize_asset_tag(raw: str) -> str:
    """Scanners and people type the same tag differently; store one spelling."""
    return "".join(raw.split()).upper()


class Device(models.Model):
    class Kind(models.TextChoices):
        LAPTOP = "laptop", _("Laptop")
        TABLET = "tablet", _("Tablet")
        CHROMEBOOK = "chromebook", _("Chromebook")
        OTHER = "other", _("Other")

    class Funding(models.TextChoices):
        DIGISPRONG = "digisprong", _("Digisprong")
        GOVERNMENT_2020 = "government_2020", _("Government laptops (November 2020)")
        DONATION = "donation", _("Donation")
        SCHOOL_BUDGET = "school_budget", _("School budget")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        AVAILABLE = "available", _("Available")
        ON_LOAN = "on_loan", _("On loan")
        IN_REPAIR = "in_repair", _("In repair")
        LOST = "lost", _("Lost or stolen")
        RETIRED = "retired", _("Retired")

    class Accessory(models.TextChoices):
        CHARGER = "charger", _("Charger")
        SLEEVE = "sleeve", _("Sleeve")
        MOUSE = "mouse", _("Mouse")
        HEADSET = "headset", _("Headset")
        STYLUS = "stylus", _("Stylus")

    # The November 2020 laptops were deducted from a school's Digisprong budget at 75 %.
    GOVERNMENT_2020_SHARE = Decimal("0.75")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="devices")
    asset_tag = models.CharField(_("asset tag"), max_length=40)
    serial_number = models.CharField(_("serial number"), max_length=80, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.LAPTOP)
    make_model = models.CharField(_("make and model"), max_length=120, blank=True)
    funding_source = models.CharField(_("funding source"), max_length=20, choices=Funding.choices)
    purchase_value = models.DecimalField(_("purchase value (euro)"), max_digits=8, decimal_places=2, default=0)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.AVAILABLE)
    accessories = models.JSONField(_("accessories"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    SCHOOL_PATH = "school"

    class Meta:
        ordering = ["asset_tag"]
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        constraints = [
            models.UniqueConstraint(fields=["school", "asset_tag"], name="device_asset_tag_unique_per_school"),
            models.CheckConstraint(name="device_value_not_negative", condition=Q(purchase_value__gte=0)),
        ]
        indexes = [models.Index(fields=["school", "status"]), models.Index(fields=["school", "kind"])]

    def __str__(self):
        return f"{self.asset_tag} ({self.get_kind_display()})"

    def save(self, *args, **kwargs):
        self.asset_tag = normalize_asset_tag(self.asset_tag)
        super().save(*args, **kwargs)

    @property
    def counted_value(self):
        """The value a report counts: government laptops at the share deducted from Digisprong."""
        if self.funding_source == self.Funding.GOVERNMENT_2020:
            return (self.purchase_value * self.GOVERNMENT_2020_SHARE).quantize(Decimal("0.01"))
        return self.purchase_value


class Loan(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("On loan")
        RETURNED = "returned", _("Returned")
        TRANSFERRED = "transferred", _("Transferred with the pupil")
        LOST = "lost", _("Ended: lost or stolen")

    class DuePolicy(models.TextChoices):
        END_OF_SCHOOL_YEAR = "school_year", _("End of the school year")
        END_OF_CAREER = "career", _("End of the school career")

    class Condition(models.TextChoices):
        NEW = "new", _("New")
        GOOD = "good", _("Good")
        WORN = "worn", _("Signs of use")
        DAMAGED = "damaged", _("Damaged")

    OPEN_STATUSES = (Status.ACTIVE,)

    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="loans")
    pupil = models.ForeignKey(Pupil, null=True, blank=True, on_delete=models.PROTECT, related_name="loans")
    staff_member = models.ForeignKey(
        StaffMember, null=True, blank=True, on_delete=models.PROTECT, related_name="loans"
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    started_at = models.DateTimeField(_("handed out at"), default=timezone.now)
    due_policy = models.CharField(_("due"), max_length=16, choices=DuePolicy.choices)
    due_on = models.DateField(_("due on"))
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    condition_out = models.CharField(
        _("condition when handed out"), max_length=16, choices=Condition.choices, default=Condition.GOOD
    )
    condition_in = models.CharField(
        _("condition when returned"), max_length=16, choices=Condition.choices, blank=True
    )
    accessories_out = models.JSONField(_("accessories handed out"), default=list, blank=True)
    note = models.TextField(_("note"), blank=True)

    SCHOOL_PATH = "device__school"

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("loan")
        verbose_name_plural = _("loans")
        constraints = [
            # The database, not only the form, refuses a second open loan for one device.
            models.UniqueConstraint(
                fields=["device"], condition=Q(status="active"), name="loan_one_open_loan_per_device"
            ),
            models.CheckConstraint(
                name="loan_borrower_is_pupil_or_staff",
                condition=(
                    Q(pupil__isnull=False, staff_member__isnull=True)
                    | Q(pupil__isnull=True, staff_member__isnull=False)
                ),
            ),
            models.CheckConstraint(
                name="loan_closed_has_return_time",
                condition=Q(status="active") | Q(returned_at__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self):
        return f"{self.device.asset_tag} → {self.borrower}"

    @property
    def borrower(self):
        return self.pupil or self.staff_member

    @property
    def is_open(self):
        return self.status in self.OPEN_STATUSES

    def is_overdue(self, today=None):
        today = today or timezone.localdate()
        return self.is_open and self.due_on < today


class Agreement(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Not sent yet")
        SENT = "sent", _("Waiting for signature")
        QUESTION = "question", _("Family has a question")
        SIGNED = "signed", _("Signed")
        ENDED = "ended", _("Ended")

    class Method(models.TextChoices):
        ONLINE = "online", _("Online")
        PAPER = "paper", _("On paper")
        DESK = "desk", _("At the desk")

    UNSIGNED_STATUSES = (Status.DRAFT, Status.SENT, Status.QUESTION)

    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="agreements")
    text_version = models.CharField(_("text version"), max_length=32)
    language = models.CharField(_("language"), max_length=8, choices=FAMILY_LANGUAGES, default="nl")
    deposit = models.DecimalField(_("deposit (euro)"), max_digits=7, decimal_places=2, default=0)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    signed_method = models.CharField(_("signed"), max_length=8, choices=Method.choices, blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    SCHOOL_PATH = "loan__device__school"

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("loan agreement")
        verbose_name_plural = _("loan agreements")
        constraints = [
            models.CheckConstraint(name="agreement_deposit_not_negative", condition=Q(deposit__gte=0)),
            models.CheckConstraint(
                name="agreement_signed_has_time_and_method",
                condition=~Q(status="signed") | (Q(signed_at__isnull=False) & ~Q(signed_method="")),
            ),
        ]

    def __str__(self):
        return f"{self.loan} – {self.get_status_display()}"
