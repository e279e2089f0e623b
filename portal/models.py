from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """Staff log in with their e-mail address; parents never get an account."""

    username = None
    email = models.EmailField(_("e-mail address"), unique=True)
    preferred_language = models.CharField(
        _("interface language"), max_length=8, choices=[("nl", "Nederlands"), ("en", "English")], default="nl"
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []
    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.get_full_name() or self.email


class EducationLevel(models.TextChoices):
    PRIMARY = "primary", _("Primary (basisonderwijs)")
    SECONDARY = "secondary", _("Secondary (secundair onderwijs)")


class Province(models.TextChoices):
    ANTWERPEN = "antwerpen", "Antwerpen"
    LIMBURG = "limburg", "Limburg"
    OOST_VLAANDEREN = "oost-vlaanderen", "Oost-Vlaanderen"
    VLAAMS_BRABANT = "vlaams-brabant", "Vlaams-Brabant"
    WEST_VLAANDEREN = "west-vlaanderen", "West-Vlaanderen"
    BRUSSELS = "brussel", _("Brussels Capital Region")
    OUTSIDE = "buiten", _("Outside Flanders and Brussels")


class Network(models.TextChoices):
    GO = "go", "GO!"
    OFFICIAL = "ogo", _("Official subsidised (OVSG/POV)")
    FREE = "vgo", _("Free subsidised (mostly Katholiek Onderwijs Vlaanderen)")
    OTHER = "other", _("Other")


class Lop(models.Model):
    """A Lokaal Overlegplatform: the schools of a city or region working on equal chances."""

    class Level(models.TextChoices):
        PRIMARY = "primary", _("Primary")
        SECONDARY = "secondary", _("Secondary")
        BOTH = "both", _("Primary and secondary")

    name = models.CharField(_("name"), max_length=200, unique=True)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    area = models.CharField(_("area"), max_length=200, help_text=_("City or region the LOP covers."))

    class Meta:
        ordering = ["name"]
        verbose_name = _("LOP")
        verbose_name_plural = _("LOPs")

    def __str__(self):
        return self.name


class School(models.Model):
    class ReturnPolicy(models.TextChoices):
        END_OF_SCHOOL_YEAR = "school_year", _("End of the school year (holidays included)")
        END_OF_CAREER = "career", _("End of the pupil's school career")

    instellingsnummer = models.CharField(_("school number"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=250)
    street = models.CharField(_("street"), max_length=200, blank=True)
    house_number = models.CharField(_("house number"), max_length=20, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    municipality = models.CharField(_("municipality"), max_length=120, blank=True)
    province = models.CharField(_("province"), max_length=20, choices=Province.choices)
    level = models.CharField(_("education level"), max_length=16, choices=EducationLevel.choices)
    special_needs = models.BooleanField(_("special needs education (buitengewoon)"), default=False)
    network = models.CharField(_("network"), max_length=8, choices=Network.choices, blank=True)
    institution_type = models.CharField(_("institution type"), max_length=200, blank=True)
    lop = models.ForeignKey(
        Lop, verbose_name=_("LOP"), null=True, blank=True, on_delete=models.SET_NULL, related_name="schools"
    )
    return_policy = models.CharField(
        _("loans end at"), max_length=16, choices=ReturnPolicy.choices, default=ReturnPolicy.END_OF_SCHOOL_YEAR
    )
    roster_columns = models.JSONField(
        _("column mapping of the last pupil import"), default=dict, blank=True
    )
    # Database defaults too: code that predates these columns (a release being rolled out) still inserts schools.
    roster_preset = models.CharField(_("kind of pupil list of the last import"), max_length=20, blank=True,
                                     default="", db_default="")
    # Class name (compared without case) -> grade, for classes whose name does not start with the grade.
    roster_class_grades = models.JSONField(_("class map"), default=dict, db_default={}, blank=True)
    repair_too_long_days = models.PositiveSmallIntegerField(_("a repair takes too long after (days)"), default=21)
    # Smartschool as a channel to parents (portal/smartschool.py). The access code is stored
    # encrypted with a key from the environment and never shown again.
    smartschool_platform = models.CharField(
        _("Smartschool platform"), max_length=120, blank=True, db_default="", help_text=_("For example school.smartschool.be"))
    smartschool_access_code = models.TextField(
        _("Smartschool webservice access code (encrypted)"), blank=True, db_default="")
    # None: loans "to the end of the school year" run through the summer and are due on the first
    # school day after it; a number: due that many school days before the summer holiday starts.
    last_return_days_before_summer = models.PositiveSmallIntegerField(
        _("devices come back before the summer (school days before it)"), null=True, blank=True,
        help_text=_("Empty: devices stay home during the summer and come back on the first school day after it. "
                    "0: on the last school day before the summer."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        indexes = [models.Index(fields=["province", "level"])]

    def __str__(self):
        return f"{self.name} ({self.instellingsnummer})"

    @property
    def address(self):
        street = " ".join(part for part in (self.street, self.house_number) if part)
        town = " ".join(part for part in (self.postcode, self.municipality) if part)
        return ", ".join(part for part in (street, town) if part)


class SchoolClosure(models.Model):
    """A holiday or closed day of one school (both days included). Weekends are closed anyway."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("School holiday")
        CLOSED = "closed", _("Closed day")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="closures")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.CLOSED)
    name = models.CharField(_("name"), max_length=120)

    SCHOOL_PATH = "school"

    class Meta:
        ordering = ["starts_on"]
        verbose_name = _("holiday or closed day")
        verbose_name_plural = _("holidays and closed days")
        constraints = [
            models.CheckConstraint(name="closure_ends_after_start", condition=Q(ends_on__gte=models.F("starts_on"))),
            models.UniqueConstraint(fields=["school", "starts_on", "name"], name="closure_once_per_school"),
        ]
        indexes = [models.Index(fields=["school", "ends_on"])]

    def __str__(self):
        return f"{self.name} ({self.starts_on} – {self.ends_on})"


class Role(models.Model):
    """What a staff user may do, and where. Admins are plain superusers and need no row."""

    class Kind(models.TextChoices):
        COORDINATOR = "coordinator", _("ICT coordinator")
        DIRECTOR = "director", _("School director")
        LOP_STAFF = "lop_staff", _("LOP staff")

    SCHOOL_KINDS = (Kind.COORDINATOR, Kind.DIRECTOR)

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roles")
    kind = models.CharField(_("role"), max_length=16, choices=Kind.choices)
    school = models.ForeignKey(School, null=True, blank=True, on_delete=models.CASCADE, related_name="roles")
    lop = models.ForeignKey(Lop, null=True, blank=True, on_delete=models.CASCADE, related_name="roles")

    SCHOOL_PATH = "school"

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            # A school role points at exactly one school, an LOP role at exactly one LOP.
            models.CheckConstraint(
                name="role_scope_matches_kind",
                condition=(
                    Q(kind__in=["coordinator", "director"], school__isnull=False, lop__isnull=True)
                    | Q(kind="lop_staff", school__isnull=True, lop__isnull=False)
                ),
            ),
            models.UniqueConstraint(fields=["user", "kind", "school", "lop"], name="role_unique_per_scope"),
        ]

    def __str__(self):
        return f"{self.user} – {self.get_kind_display()} – {self.school or self.lop}"


class Invitation(models.Model):
    """An e-mail that offers someone a role: a single-use link that expires (only the token's hash is kept).

    Each send makes a new token, so the link of an earlier send stops working; ``send_count`` tells a
    queued send apart from a newer one. ``sent_at`` is set only once the mail server took the message.
    """

    email = models.EmailField(_("e-mail address"))
    kind = models.CharField(_("role"), max_length=16, choices=Role.Kind.choices)
    school = models.ForeignKey(School, null=True, blank=True, on_delete=models.CASCADE, related_name="invitations")
    lop = models.ForeignKey(Lop, null=True, blank=True, on_delete=models.CASCADE, related_name="invitations")
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    token_hash = models.CharField(max_length=64, blank=True)
    send_count = models.PositiveSmallIntegerField(default=1)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    revoked_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    SCHOOL_PATH = "school"

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.CheckConstraint(
                name="invitation_scope_matches_kind",
                condition=(
                    Q(kind__in=["coordinator", "director"], school__isnull=False, lop__isnull=True)
                    | Q(kind="lop_staff", school__isnull=True, lop__isnull=False)
                ),
            ),
            # A double click on "invite" makes one invitation: one open invitation per address and role.
            models.UniqueConstraint(
                fields=["email", "kind", "school", "lop"], condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                nulls_distinct=False, name="invitation_one_open_per_role",
            ),
            models.UniqueConstraint(fields=["token_hash"], condition=~Q(token_hash=""), name="invitation_token_unique"),
        ]

    def __str__(self):
        return f"{self.email} – {self.get_kind_display()} – {self.school or self.lop}"  # never the token

    @property
    def scope(self):
        return self.school or self.lop

    @property
    def scope_name(self) -> str:
        return (self.school or self.lop).name

    @property
    def link_state(self) -> str:
        """For the lists: "waiting" (not sent yet), "sent" (the link works), or "expired"."""
        if self.sent_at is None:
            return "waiting"
        return "expired" if self.expires_at is None or self.expires_at <= timezone.now() else "sent"


class StaffMember(models.Model):
    """A teacher or other staff member who can borrow a device; needs no portal login."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="staff_members")
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail address"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    SCHOOL_PATH = "school"

    class Meta:
        ordering = ["name"]
        verbose_name = _("staff member")
        verbose_name_plural = _("staff members")

    def __str__(self):
        return self.name


class SchoolYearFacts(models.Model):
    """What only the school knows about one school year: how many staff it has and its Digisprong
    budget. Entered by the director or imported; the reports set the staff devices beside them."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="year_facts")
    start_year = models.PositiveSmallIntegerField(_("school year (first calendar year)"))
    staff_head_count = models.PositiveIntegerField(_("staff head count"), null=True, blank=True)
    digisprong_budget = models.DecimalField(
        _("Digisprong budget (euro)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    SCHOOL_PATH = "school"

    class Meta:
        ordering = ["school", "-start_year"]
        verbose_name = _("school year facts")
        verbose_name_plural = _("school year facts")
        constraints = [
            models.UniqueConstraint(fields=["school", "start_year"], name="school_year_facts_unique"),
            models.CheckConstraint(name="school_year_facts_budget_not_negative",
                                   condition=Q(digisprong_budget__gte=0)),
        ]

    def __str__(self):
        return f"{self.school} {self.start_year}-{self.start_year + 1}"


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


def job_file_path(job, filename):
    # A random folder per job: file names say what a document is, never whose.
    return f"jobs/{job.school_id}/{job.token}/{filename}"


class Job(models.Model):
    """Long work for a school, done by a worker with a progress bar (portal/jobs.py): a batch of letters,
    a label sheet, a family's export, a large import. What it made is kept for DOCUMENTS_KEEP_DAYS on the
    school's documents page, then deleted."""

    class Kind(models.TextChoices):
        SURVEY_LETTERS = "survey_letters", _("Survey letters")
        CODE_LETTERS = "code_letters", _("Internet code letters")
        REMINDER_LETTERS = "reminder_letters", _("Reminder letters")
        LABELS = "labels", _("Label sheet")
        HOUSEHOLD_EXPORT = "household_export", _("Everything kept about a family (PDF)")
        ROSTER_IMPORT = "roster_import", _("Pupil list import")
        DEVICE_IMPORT = "device_import", _("Device import")
        CODE_IMPORT = "code_import", _("Internet code import")
        ACTIVATION_IMPORT = "activation_import", _("Activation list import")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Working")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Not done")
        REPLACED = "replaced", _("Replaced by a newer one")

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="jobs")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200, blank=True)
    # Only its creator sees a private job: internet codes are for the one who handed them out, a family's
    # export for the director who asked.
    private = models.BooleanField(default=False)
    # A double click or a second post of the same form gets the first job back (unique per school).
    key = models.CharField(max_length=120, blank=True)
    # What the job works on ("survey:12"): one job per kind and subject runs at a time.
    subject = models.CharField(max_length=64, blank=True)
    language = models.CharField(max_length=8, default="nl")
    token = models.CharField(max_length=32, unique=True)
    task_name = models.CharField(max_length=120)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    params = models.JSONField(default=dict, blank=True)
    upload = models.FileField(upload_to=job_file_path, blank=True)
    file = models.FileField(upload_to=job_file_path, blank=True)
    filename = models.CharField(max_length=120, blank=True)
    # What the requester reads when it is done: a message, and for a refused import every bad line.
    message = models.TextField(blank=True)
    errors = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(db_index=True)

    SCHOOL_PATH = "school"

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("document or import")
        verbose_name_plural = _("documents and imports")
        constraints = [
            models.UniqueConstraint(fields=["school", "key"], condition=~Q(key=""), name="job_key_once_per_school"),
            models.UniqueConstraint(fields=["kind", "subject"], condition=Q(status__in=["queued", "running"]) & ~Q(subject=""),
                                    name="job_one_active_per_subject"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status not in self.ACTIVE
