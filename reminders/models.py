from django.db import models
from django.utils.translation import gettext_lazy as _

from households.models import Household
from portal.models import School


class Reminder(models.Model):
    """One reminder a family (or a coordinator) gets, at most once.

    The unique (kind, subject_type, subject_id, step) row is the idempotency record: the nightly
    plan inserts it with ``ignore_conflicts``, and sending claims it with a conditional update.
    """

    class Kind(models.TextChoices):
        AGREEMENT_UNSIGNED = "agreement_unsigned", _("Agreement not signed yet")
        RETURN_DUE = "return_due", _("Device to bring back soon")
        OVERDUE = "overdue", _("Device not brought back yet")
        CODE_EXPIRING = "code_expiring", _("Internet code ends soon")
        CODE_NOT_ACTIVATED = "code_not_activated", _("Internet code not used yet")
        SURVEY_UNANSWERED = "survey_unanswered", _("Survey not answered yet")
        COORDINATOR_DIGEST = "coordinator_digest", _("Daily overview for the coordinator")

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("Text message (SMS)")
        SMARTSCHOOL = "smartschool", _("Smartschool message")
        PAPER = "paper", _("Letter on paper")
        COORDINATOR = "coordinator", _("Note to the coordinator")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        PAPER = "paper", _("To print")
        SKIPPED = "skipped", _("Skipped")
        UNCONFIRMED = "unconfirmed", _("Sent, no answer from the provider")

    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    subject_type = models.CharField(_("about"), max_length=24)
    subject_id = models.PositiveBigIntegerField(_("about number"))
    # 1, 2, 3... for a series; for a code's expiry and the daily digest the date it is about
    # (YYYYMMDD), so an extended code or a new day gets its own row.
    step = models.PositiveIntegerField(_("step"))
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="reminders")
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.SET_NULL, related_name="reminders"
    )
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    language = models.CharField(_("language"), max_length=8, default="nl")
    due_at = models.DateTimeField(_("may be sent from"))
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING)

    SCHOOL_PATH = "school"

    class Meta:
        ordering = ["-due_at"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "subject_type", "subject_id", "step"], name="reminder_once_per_subject_step"
            ),
        ]
        # The table kept its name when the model moved from lending (a state-only migration).
        db_table = "lending_reminder"
        indexes = [models.Index(fields=["status", "due_at"], name="lending_rem_status_15fa37_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.subject_id} step {self.step}"
