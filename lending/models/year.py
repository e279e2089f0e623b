"""What a school year adds to the desk: return receipts, stocktakes and hand-overs between schools."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.languages import FAMILY_LANGUAGES
from portal.models import School

from .devices import Device
from .loans import Loan


class ReturnReceipt(models.Model):
    """Proof for the family that the device came back: a one-page PDF in their language, e-mailed or
    printed. ``status`` is "sent" only once the mail server accepted the message."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Being made")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("E-mailed to the family")
        PAPER = "paper", _("To print and hand over")

    loan = models.OneToOneField(Loan, on_delete=models.CASCADE, related_name="receipt")
    language = models.CharField(_("language"), max_length=8, choices=FAMILY_LANGUAGES, default="nl")
    channel = models.CharField(_("channel"), max_length=8, default="paper")
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.PENDING)
    pdf = models.FileField(_("receipt PDF"), upload_to="receipts/%Y/%m/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    SCHOOL_PATH = "loan__device__school"

    class Meta:
        verbose_name = _("return receipt")
        verbose_name_plural = _("return receipts")

    def __str__(self):
        return f"{self.loan_id} / {self.get_status_display()}"


class Stocktake(models.Model):
    """A count of the devices present at school: started, scanned device by device, closed."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="stocktakes")
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    # Counts per status when it was closed, so the record stays true when devices change later.
    summary = models.JSONField(_("result"), default=dict, blank=True)

    SCHOOL_PATH = "school"

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("stocktake")
        verbose_name_plural = _("stocktakes")
        constraints = [models.UniqueConstraint(fields=["school"], condition=Q(closed_at__isnull=True),
                                               name="stocktake_one_open_per_school")]

    def __str__(self):
        return f"{self.school_id} {self.started_at:%Y-%m-%d}"


class StocktakeScan(models.Model):
    stocktake = models.ForeignKey(Stocktake, on_delete=models.CASCADE, related_name="scans")
    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="stocktake_scans")
    scanned_at = models.DateTimeField(default=timezone.now)
    scanned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    SCHOOL_PATH = "stocktake__school"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["stocktake", "device"], name="stocktake_scan_once")]
        indexes = [models.Index(fields=["device", "-scanned_at"])]

    def __str__(self):
        return f"{self.stocktake_id} / {self.device_id}"


class Transfer(models.Model):
    """A loan handed over to another school on the portal. Only the device crosses (as a new device
    of the new school once it takes it in); nothing of the pupil or the family does: the new school
    finds the pupil in its own roster and lends the device with its own agreement."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting for the new school")
        ACCEPTED = "accepted", _("Taken into stock by the new school")
        DECLINED = "declined", _("Sent back to the old school")

    loan = models.OneToOneField(Loan, on_delete=models.PROTECT, related_name="transfer")
    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="transfers_out")
    from_school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="transfers_out")
    to_school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="transfers_in")
    note = models.CharField(_("note for the new school"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.WAITING)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    new_device = models.OneToOneField(Device, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="transfer_in")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("hand-over to another school")
        verbose_name_plural = _("hand-overs to other schools")
        constraints = [models.CheckConstraint(name="transfer_to_another_school",
                                              condition=~Q(from_school=models.F("to_school")))]

    def __str__(self):
        return f"{self.device_id}: {self.from_school_id} → {self.to_school_id}"
