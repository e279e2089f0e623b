"""What became of every message to a family, and the addresses that stopped working."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from .schools import School


class Message(models.Model):
    """One delivery attempt of one message to one address, with its status as the provider reports
    it. Written by portal.messages only. Never holds the text: it may carry a link token or an
    internet code."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("Text message (SMS)")
        SMARTSCHOOL = "smartschool", _("Smartschool")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to be sent")
        SENDING = "sending", _("Being sent")
        ACCEPTED = "accepted", _("Accepted by the provider")
        DELIVERED = "delivered", _("Delivered")
        BOUNCED = "bounced", _("Bounced")
        FAILED = "failed", _("Not delivered")
        UNCONFIRMED = "unconfirmed", _("No answer from the provider: may have arrived")
        LOGGED = "logged", _("Not sent: written to the log only (development)")

    # Where a provider's later news may still take a row: never back from delivered to accepted.
    RANK = {"queued": 0, "sending": 1, "unconfirmed": 2, "logged": 2, "accepted": 3, "delivered": 4,
            "failed": 5, "bounced": 5}
    REACHED = ("accepted", "delivered")

    school = models.ForeignKey(School, null=True, blank=True, on_delete=models.CASCADE, related_name="messages")
    # The household (households.Household) by id: this floor cannot import it.
    household_id = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    recipient = models.CharField(_("to"), max_length=254)
    purpose = models.CharField(_("message"), max_length=120, blank=True)
    about = models.CharField(max_length=64, blank=True, help_text="e.g. reminder:12")
    language = models.CharField(_("language"), max_length=8, blank=True)
    provider = models.CharField(_("provider"), max_length=32, blank=True)
    provider_id = models.CharField(max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.QUEUED)
    error = models.CharField(_("error"), max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    SCHOOL_PATH = "school"

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [models.Index(fields=["provider", "provider_id"]), models.Index(fields=["school", "-created_at"])]

    def __str__(self):
        return f"{self.get_channel_display()} #{self.pk} {self.status}"  # never the address


class FailingAddress(models.Model):
    """An e-mail address or phone number a provider told us does not work (hard bounce, complaint,
    refused number). Messages skip it and fall back to the next channel, or paper."""

    class Reason(models.TextChoices):
        BOUNCED = "bounced", _("Bounced")
        COMPLAINED = "complained", _("Marked as spam")
        REFUSED = "refused", _("Refused by the provider")

    channel = models.CharField(_("channel"), max_length=12, choices=Message.Channel.choices)
    address = models.CharField(_("address"), max_length=254)
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices)
    school = models.ForeignKey(School, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    household_id = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    at = models.DateTimeField(auto_now_add=True)

    SCHOOL_PATH = "school"

    class Meta:
        verbose_name = _("address that does not work")
        verbose_name_plural = _("addresses that do not work")
        constraints = [models.UniqueConstraint(fields=["channel", "address"], name="failing_address_once")]

    def __str__(self):
        return f"{self.get_channel_display()} ({self.get_reason_display()})"
