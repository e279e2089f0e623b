"""Loans, their agreements, the school's agreement terms and signing links."""
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from households.models import Pupil
from portal.languages import FAMILY_LANGUAGES
from portal.models import School, StaffMember

from .devices import Device


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
    accessories_in = models.JSONField(_("accessories returned"), default=list, blank=True)
    note = models.TextField(_("note"), blank=True)
    return_photo = models.FileField(_("photo at return"), upload_to="returns/%Y/%m/", blank=True)
    handed_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The desk's confirm form carries a fresh key: a second submit of the same form (a double Enter,
    # a fast scanner) finds this loan instead of handing out twice.
    checkout_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

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

    class Signer(models.TextChoices):
        GUARDIAN = "guardian", _("A parent or guardian")
        PUPIL = "pupil", _("The pupil (18 or older)")

    UNSIGNED_STATUSES = (Status.DRAFT, Status.SENT, Status.QUESTION)

    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="agreements")
    signer = models.CharField(_("who signs"), max_length=8, choices=Signer.choices, default=Signer.GUARDIAN)
    terms = models.ForeignKey(
        "AgreementTerms", null=True, blank=True, on_delete=models.PROTECT, related_name="agreements",
        verbose_name=_("terms version"),
    )
    text_version = models.CharField(_("text version"), max_length=32)
    language = models.CharField(_("language"), max_length=8, choices=FAMILY_LANGUAGES, default="nl")
    deposit = models.DecimalField(_("deposit (euro)"), max_digits=7, decimal_places=2, default=0)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    signed_method = models.CharField(_("signed"), max_length=8, choices=Method.choices, blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The document: rendered by a Celery task; a missing file is rebuilt on demand.
    pdf = models.FileField(_("agreement PDF"), upload_to="agreements/%Y/%m/", blank=True)
    signed_pdf = models.FileField(_("signed PDF"), upload_to="agreements/signed/%Y/%m/", blank=True)
    paper_scan = models.FileField(_("scan of the paper agreement"), upload_to="agreements/paper/%Y/%m/", blank=True)
    # Evidence of an online or desk signature.
    signer_name = models.CharField(_("signed by"), max_length=200, blank=True)
    signer_ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    signer_user_agent = models.CharField(_("browser"), max_length=400, blank=True)
    signature_image = models.FileField(_("drawn signature"), upload_to="agreements/signatures/", blank=True)
    text_sha256 = models.CharField(_("SHA-256 of the text shown"), max_length=64, blank=True)
    pdf_sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64, blank=True)
    question = models.TextField(_("question from the family"), blank=True)

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


class AgreementTerms(models.Model):
    """A school's agreement variables. Each change is a new version; signed agreements keep theirs."""

    # Above these amounts the director sees why high costs keep families away.
    DEPOSIT_WARNING_ABOVE = Decimal("0")
    DAMAGE_CAP_WARNING_ABOVE = Decimal("50")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="agreement_terms")
    version = models.PositiveIntegerField(_("version"))
    deposit = models.DecimalField(_("deposit (euro)"), max_digits=7, decimal_places=2, default=0)
    damage_cap = models.DecimalField(
        _("most a family pays for damage, loss or theft (euro)"), max_digits=7, decimal_places=2, default=0
    )
    return_policy = models.CharField(
        _("loans end at"), max_length=16, choices=School.ReturnPolicy.choices,
        default=School.ReturnPolicy.END_OF_SCHOOL_YEAR,
    )
    contact_name = models.CharField(_("contact person at school"), max_length=200, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    support_organisation = models.CharField(
        _("local e-inclusion organisation"), max_length=200, blank=True,
        help_text=_("For example a digital neighbourhood centre or the library."),
    )
    support_contact = models.CharField(_("how to reach it"), max_length=200, blank=True)
    extra_text = models.TextField(_("extra sentences from the school"), blank=True, max_length=600)
    link_valid_days = models.PositiveSmallIntegerField(_("signing links work for (days)"), default=30)
    high_amounts_acknowledged = models.BooleanField(
        _("director confirmed the amounts after the warning"), default=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    SCHOOL_PATH = "school"

    class Meta:
        ordering = ["school", "-version"]
        verbose_name = _("agreement terms")
        verbose_name_plural = _("agreement terms")
        constraints = [
            models.UniqueConstraint(fields=["school", "version"], name="terms_version_unique_per_school"),
            models.CheckConstraint(
                name="terms_amounts_not_negative", condition=Q(deposit__gte=0) & Q(damage_cap__gte=0)
            ),
        ]

    def __str__(self):
        return f"{self.school} v{self.version}"

    @property
    def needs_warning(self):
        return self.deposit > self.DEPOSIT_WARNING_ABOVE or self.damage_cap > self.DAMAGE_CAP_WARNING_ABOVE


class SigningLink(models.Model):
    """A link a family signs with. Only the SHA-256 of the token is stored."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="signing_links")
    token_hash = models.CharField(max_length=64, unique=True)
    channel = models.CharField(max_length=8, choices=[("email", "E-mail"), ("sms", "SMS"), ("paper", "Paper"),
                                                      ("desk", "Desk")])
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    SCHOOL_PATH = "agreement__loan__device__school"

    class Meta:
        verbose_name = _("signing link")
        verbose_name_plural = _("signing links")

    def __str__(self):
        # Never the token (only its hash is stored anyway): the admin shows whose link and which.
        return f"{self.agreement_id} / {self.channel} / {self.created_at:%Y-%m-%d}"
