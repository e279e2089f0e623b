from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q
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
    repair_too_long_days = models.PositiveSmallIntegerField(_("a repair takes too long after (days)"), default=21)

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
