"""Incidents on a device (damage, loss, theft) and its repairs."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .devices import Device
from .loans import Loan


class Incident(models.Model):
    """Damage, loss or theft. What it costs the family defaults to nothing and never exceeds the cap."""

    class Kind(models.TextChoices):
        DAMAGE = "damage", _("Damage")
        LOSS = "loss", _("Loss")
        THEFT = "theft", _("Theft")

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="incidents")
    loan = models.ForeignKey(Loan, null=True, blank=True, on_delete=models.SET_NULL, related_name="incidents")
    kind = models.CharField(_("what happened"), max_length=8, choices=Kind.choices)
    description = models.TextField(_("description"), blank=True)
    cost_to_family = models.DecimalField(_("cost to the family (euro)"), max_digits=7, decimal_places=2, default=0)
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    SCHOOL_PATH = "device__school"

    class Meta:
        ordering = ["-reported_at"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        constraints = [models.CheckConstraint(name="incident_cost_not_negative", condition=Q(cost_to_family__gte=0))]

    def __str__(self):
        return f"{self.get_kind_display()} {self.device.asset_tag} {self.reported_at:%Y-%m-%d}"


class Repair(models.Model):
    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="repairs")
    incident = models.ForeignKey(Incident, null=True, blank=True, on_delete=models.SET_NULL, related_name="repairs")
    supplier = models.CharField(_("supplier"), max_length=200, blank=True)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    returned_at = models.DateTimeField(_("back at"), null=True, blank=True)
    cost = models.DecimalField(_("cost (euro)"), max_digits=8, decimal_places=2, default=0)
    note = models.TextField(_("note"), blank=True)

    SCHOOL_PATH = "device__school"

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("repair")
        verbose_name_plural = _("repairs")
        constraints = [
            models.UniqueConstraint(fields=["device"], condition=Q(returned_at__isnull=True),
                                    name="repair_one_open_repair_per_device"),
        ]

    def __str__(self):
        return f"{self.device.asset_tag} {self.sent_at:%Y-%m-%d}"
