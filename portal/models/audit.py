"""The audit trail: who changed what, in one vocabulary a director reads."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .schools import School


class AuditEvent(models.Model):
    """Who changed what, and how it looked before and after. Written by services only."""

    class Action(models.TextChoices):
        """Everything the trail records, named <object>.<what happened>, with the words a director reads
        (after Zulip's RealmAuditLog event types). A service can only write one of these."""

        AGREEMENT_SENT = "agreement.sent", _("Agreement sent to the family")
        AGREEMENT_SIGNED = "agreement.signed", _("Agreement signed")
        AGREEMENT_QUESTION_ASKED = "agreement.question_asked", _("Family asked a question about the agreement")
        AGREEMENT_PAPER_SIGNED = "agreement.paper_signed", _("Paper agreement uploaded")
        AGREEMENT_PDF_REGENERATED = "agreement.pdf_regenerated", _("Agreement PDF made again")
        AGREEMENT_EVIDENCE_REMOVED = "agreement.evidence_removed", _("Signature evidence removed after the legal period")
        TERMS_CHANGED = "terms.changed", _("Agreement terms changed")
        DEVICE_CREATED = "device.created", _("Device added")
        DEVICE_UPDATED = "device.updated", _("Device changed")
        DEVICE_IMPORTED = "device.imported", _("Device added by import")
        DEVICE_UPDATED_BY_IMPORT = "device.updated_by_import", _("Device changed by import")
        LOAN_CHECKED_OUT = "loan.checked_out", _("Device lent")
        LOAN_RETURNED = "loan.returned", _("Device brought back")
        LOAN_RETURNED_BY_LEAVER = "loan.returned_by_leaver", _("Device brought back by a pupil who left")
        LOAN_LOST = "loan.lost", _("Loan ended: device lost")
        LOAN_TRANSFERRED = "loan.transferred", _("Loan transferred")
        LOAN_HANDED_OVER = "loan.handed_over", _("Loan handed over to another school on the portal")
        AGREEMENT_ENDED = "agreement.ended", _("Unsigned agreement ended with its loan")
        RETURN_RECEIPT_SENT = "return_receipt.sent", _("Return receipt sent to the family")
        TRANSFER_ACCEPTED = "transfer.accepted", _("Handed-over device taken into stock")
        TRANSFER_DECLINED = "transfer.declined", _("Handed-over device sent back")
        STOCKTAKE_STARTED = "stocktake.started", _("Stocktake started")
        STOCKTAKE_CLOSED = "stocktake.closed", _("Stocktake closed")
        CALENDAR_CHANGED = "calendar.changed", _("School calendar changed")
        PUPIL_MARKED_LEFT = "pupil.marked_left", _("Pupil marked as left by hand")
        LOAN_RENEWED = "loan.renewed", _("Loan renewed")
        LOAN_YEAR_END_RECORDED = "loan.year_end_recorded", _("Year-end choice recorded")
        INCIDENT_RECORDED = "incident.recorded", _("Damage, loss or theft recorded")
        REPAIR_SENT = "repair.sent", _("Device sent for repair")
        REPAIR_BACK = "repair.back", _("Device back from repair")
        ROSTER_IMPORTED = "pupils.roster_imported", _("Pupil list imported")
        PUPIL_ANONYMISED = "pupil.anonymised", _("Pupil data erased")
        HOUSEHOLD_UPDATED = "household.updated", _("Family changed")
        HOUSEHOLD_POINTED_TO_SOCIAL_TARIFF = "household.social_tariff_pointed", _("Family pointed to the social tariff")
        HOUSEHOLD_EXPORTED = "household.exported", _("Family data exported")
        HOUSEHOLD_ANONYMISED = "household.anonymised", _("Family data erased")
        GUARDIAN_CREATED = "guardian.created", _("Guardian added")
        GUARDIAN_UPDATED = "guardian.updated", _("Guardian changed")
        INTERNET_CODES_IMPORTED = "internet_codes.imported", _("Internet codes imported")
        INTERNET_CODE_HANDED_OUT = "internet_code.handed_out", _("Internet code handed out")
        INTERNET_CODE_SENT = "internet_code.sent", _("Internet code sent to the family")
        INTERNET_CODE_LETTER_PRINTED = "internet_code.letter_printed", _("Internet code letter printed")
        INTERNET_CODE_ACTIVATED = "internet_code.activated", _("Internet code activated")
        INTERNET_CODE_EXTENDED = "internet_code.extended", _("Internet code extended")
        SURVEY_CREATED = "survey.created", _("Survey sent")
        SURVEY_LETTERS_PRINTED = "survey.letters_printed", _("Survey letters printed")
        SURVEY_ANSWERED = "survey.answered", _("Survey answered")
        REFERRAL_CREATED = "referral.created", _("Family referred for support")
        REFERRAL_UPDATED = "referral.updated", _("Referral changed")
        SUPPORT_ORGANISATION_CREATED = "support_organisation.created", _("Support organisation added")
        SUPPORT_ORGANISATION_UPDATED = "support_organisation.updated", _("Support organisation changed")
        REMINDER_LETTERS_HANDED_OUT = "reminder.letters_handed_out", _("Reminder letters handed out")
        TWO_STEP_ENABLED = "two_step.enabled", _("Two-step login switched on")
        TWO_STEP_DISABLED = "two_step.disabled", _("Two-step login switched off")
        SMARTSCHOOL_CONNECTED = "school.smartschool_connected", _("Smartschool connection saved")
        SMARTSCHOOL_DISCONNECTED = "school.smartschool_disconnected", _("Smartschool connection removed")
        ADDRESS_FAILING = "address.failing", _("An e-mail address or phone number stopped working")
        INVITATION_CREATED = "invitation.created", _("Invitation made")
        INVITATION_RESENT = "invitation.resent", _("Invitation sent again")
        INVITATION_REVOKED = "invitation.revoked", _("Invitation withdrawn")
        INVITATION_ACCEPTED = "invitation.accepted", _("Invitation accepted")
        ROLE_GRANTED = "role.granted", _("Role given")
        ROLE_REMOVED = "role.removed", _("Role taken away")
        USER_DISABLED = "user.disabled", _("Account switched off")
        SCHOOL_LOGIN_LINKED = "user.school_login_linked", _("Microsoft or Google account linked")
        STAFF_MEMBER_CREATED = "staff_member.created", _("Staff member added as borrower")
        STAFF_MEMBER_UPDATED = "staff_member.updated", _("Staff member changed")
        PUPIL_CREATED = "pupil.created", _("Pupil added by hand")
        PUPIL_NEEDS_MARKED = "pupil.needs_marked", _("Pupil's needs marked by hand")
        CLASS_MAP_CHANGED = "pupils.class_map_changed", _("Class map changed")
        SCHOOL_FACTS_CHANGED = "school_facts.changed", _("Staff head count or Digisprong budget changed")

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    school = models.ForeignKey(School, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=64, choices=Action.choices)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    SCHOOL_PATH = "school"

    class Meta:
        ordering = ["-at"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["object_type", "object_id"]), models.Index(fields=["school", "-at"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}#{self.object_id}"
