"""Devices: what a school owns and how its device lists are read."""
from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import School


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
    # Reports count a device from this day on ("as it stood at the end of a school year").
    in_use_since = models.DateField(_("in use since"), default=timezone.localdate)
    created_at = models.DateTimeField(auto_now_add=True)

    SCHOOL_PATH = "school"
    # Lost, stolen and retired devices are no longer in use, whatever year is asked.
    OUT_OF_USE = (Status.LOST, Status.RETIRED)

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


class DeviceImportSettings(models.Model):
    """What a school chose at its last device import: the kind of export, its columns and the defaults.
    The command line uses the default funding source for files without a funding column."""

    school = models.OneToOneField(School, on_delete=models.CASCADE, related_name="device_import_settings")
    preset = models.CharField(_("kind of file"), max_length=20, blank=True)
    columns = models.JSONField(_("columns"), default=dict, blank=True)
    funding_source = models.CharField(_("default funding source"), max_length=20, choices=Device.Funding.choices,
                                      blank=True)
    kind = models.CharField(_("default kind"), max_length=16, choices=Device.Kind.choices, blank=True)

    SCHOOL_PATH = "school"

    class Meta:
        verbose_name = _("device import settings")
        verbose_name_plural = _("device import settings")

    def __str__(self):
        return str(self.school)
