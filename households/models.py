from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.languages import FAMILY_LANGUAGES
from portal.models import School


class Household(models.Model):
    """A family as one school knows it.

    Each school keeps its own household record, so a school never sees what another school
    knows about the same family; siblings at one school share one household. No national
    register number and no income are stored: the job does not need them.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("Text message (SMS)")
        SMARTSCHOOL = "smartschool", _("Smartschool message")
        PAPER = "paper", _("Letter on paper")

    class Access(models.TextChoices):
        UNKNOWN = "unknown", _("Not known yet")
        NONE = "none", _("None")
        SHARED = "shared", _("Shared or not good enough")
        YES = "yes", _("Yes, good enough")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="households")
    name = models.CharField(_("family name"), max_length=200, help_text=_("How the school refers to the family."))
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=FAMILY_LANGUAGES, default="nl"
    )
    contact_channel = models.CharField(
        _("contact channel"), max_length=12, choices=Channel.choices, default=Channel.EMAIL
    )
    device_at_home = models.CharField(
        _("computer at home"), max_length=8, choices=Access.choices, default=Access.UNKNOWN
    )
    internet_at_home = models.CharField(
        _("internet at home"), max_length=8, choices=Access.choices, default=Access.UNKNOWN
    )
    pointed_to_social_tariff_at = models.DateTimeField(_("pointed to the social tariff on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set by privacy.retention when the family's personal data was removed (retention or erasure).
    anonymised_at = models.DateTimeField(_("personal data removed on"), null=True, blank=True)

    SCHOOL_PATH = "school"

    class Meta:
        ordering = ["name"]
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self):
        return self.name or str(_("Erased family"))


class Guardian(models.Model):
    class Relation(models.TextChoices):
        MOTHER = "mother", _("Mother")
        FATHER = "father", _("Father")
        GUARDIAN = "guardian", _("Guardian")
        OTHER = "other", _("Other")

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="guardians")
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail address"), blank=True)
    phone = models.CharField(_("mobile phone"), max_length=32, blank=True)
    relation = models.CharField(_("relation"), max_length=16, choices=Relation.choices, default=Relation.GUARDIAN)
    # Smartschool gives each pupil up to six co-accounts for parents; messages go to this one.
    smartschool_coaccount = models.PositiveSmallIntegerField(
        _("Smartschool co-account"), null=True, blank=True, choices=[(n, str(n)) for n in range(1, 7)],
        help_text=_("The number of this parent's co-account on the pupil's Smartschool account."))

    SCHOOL_PATH = "household__school"

    class Meta:
        ordering = ["name"]
        verbose_name = _("guardian")
        verbose_name_plural = _("guardians")

    def __str__(self):
        return self.name


class Pupil(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="pupils")
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.SET_NULL, related_name="pupils"
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    class_name = models.CharField(_("class"), max_length=32, blank=True)
    grade = models.PositiveSmallIntegerField(
        _("grade (leerjaar)"), help_text=_("1 to 6 in primary, 1 to 7 in secondary.")
    )
    internal_number = models.CharField(_("school's pupil number"), max_length=32)
    # Optional, from the roster: a pupil of 18 or older signs the loan agreement themselves.
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    active = models.BooleanField(_("still at school"), default=True)
    needs_device = models.BooleanField(_("needs a device"), default=False)
    needs_internet = models.BooleanField(_("needs internet"), default=False)
    # Who last set the two needs by hand, and when (a survey answer sets them without a person).
    needs_marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("needs marked by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    needs_marked_at = models.DateTimeField(_("needs marked on"), null=True, blank=True)
    # Starts the retention clock: set when the roster import (or the nightly job) sees the pupil gone.
    left_on = models.DateField(_("left the school on"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("personal data removed on"), null=True, blank=True)

    SCHOOL_PATH = "school"

    class Meta:
        ordering = ["class_name", "last_name", "first_name"]
        verbose_name = _("pupil")
        verbose_name_plural = _("pupils")
        constraints = [
            models.UniqueConstraint(fields=["school", "internal_number"], name="pupil_number_unique_per_school"),
            models.CheckConstraint(name="pupil_grade_in_range", condition=Q(grade__gte=1, grade__lte=7)),
        ]
        indexes = [models.Index(fields=["school", "active", "needs_device"])]

    def __str__(self):
        return self.full_name

    ADULT_AGE = 18

    def is_adult(self, on) -> bool:
        """18 or older on ``on``; unknown (no date of birth) counts as a minor, whose parents sign."""
        born = self.date_of_birth
        if born is None:
            return False
        return (on.year - born.year - ((on.month, on.day) < (born.month, born.day))) >= self.ADULT_AGE

    @property
    def full_name(self):
        if self.anonymised_at:
            return str(_("Erased pupil"))
        return f"{self.first_name} {self.last_name}"


class RosterImport(models.Model):
    """A pupil list that was written: where it came from, what it did, and the key of the confirmation
    that wrote it, so a second click on the same confirmation writes nothing."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="roster_imports")
    key = models.CharField(max_length=64, blank=True)
    source = models.CharField(_("source"), max_length=200)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                           related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    summary = models.JSONField(default=dict)

    SCHOOL_PATH = "school"

    class Meta:
        ordering = ["-at"]
        verbose_name = _("pupil list import")
        verbose_name_plural = _("pupil list imports")
        constraints = [
            models.UniqueConstraint(fields=["school", "key"], condition=~Q(key=""), name="roster_import_key_once"),
        ]

    def __str__(self):
        return f"{self.source} ({self.at:%Y-%m-%d %H:%M})"


class InternetCode(models.Model):
    """A free internet access code from a provider. The code is a secret: shown only to the
    coordinator who hands it out and in the letter to the family."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="internet_codes")
    provider = models.CharField(_("provider"), max_length=80)
    code = models.CharField(_("code"), max_length=120)
    valid_until = models.DateField(_("valid until"))
    batch = models.CharField(_("batch"), max_length=120, blank=True)
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.SET_NULL, related_name="internet_codes"
    )
    issued_at = models.DateTimeField(_("handed out at"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)
    extended_until = models.DateField(_("extended until"), null=True, blank=True)
    imported_at = models.DateTimeField(auto_now_add=True)
    # The first time its letter was printed; the batch of letters takes the codes without one.
    letter_printed_at = models.DateTimeField(_("letter printed at"), null=True, blank=True)

    SCHOOL_PATH = "school"

    class Meta:
        ordering = ["valid_until", "provider"]
        verbose_name = _("internet code")
        verbose_name_plural = _("internet codes")
        constraints = [
            models.UniqueConstraint(fields=["provider", "code"], name="internet_code_unique_per_provider"),
            models.CheckConstraint(
                name="internet_code_issued_has_household",
                condition=Q(issued_at__isnull=True) | Q(household__isnull=False),
            ),
            models.CheckConstraint(
                name="internet_code_activated_after_issue",
                condition=Q(activated_at__isnull=True) | Q(issued_at__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["school", "issued_at", "activated_at"])]

    def __str__(self):
        return f"{self.provider} ({self.valid_until})"  # never the code itself

    @property
    def expires_on(self):
        return self.extended_until or self.valid_until


# --- needs survey ----------------------------------------------------------------------------------

class Survey(models.Model):
    """A short needs survey a school sends to every family of the chosen grades or classes."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="surveys")
    title = models.CharField(_("title"), max_length=200)
    grades = models.JSONField(_("grades"), default=list, blank=True)
    class_names = models.JSONField(_("classes"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    SCHOOL_PATH = "school"

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("needs survey")
        verbose_name_plural = _("needs surveys")

    def __str__(self):
        return self.title


class SurveyInvite(models.Model):
    """One household's link to a survey. Only the SHA-256 of the token is stored."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invites")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="survey_invites")
    token_hash = models.CharField(max_length=64, unique=True)
    channel = models.CharField(_("channel"), max_length=12, choices=Household.Channel.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)

    SCHOOL_PATH = "survey__school"

    class Meta:
        ordering = ["household__name"]
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        constraints = [
            models.UniqueConstraint(fields=["survey", "household"], name="survey_invite_once_per_household"),
        ]

    def __str__(self):
        return f"{self.survey} – {self.household}"  # never the token


class SurveyAnswer(models.Model):
    class Computer(models.TextChoices):
        YES = "yes", _("Yes, the child can use it")
        SHARED = "shared", _("Yes, but we share it")
        NO = "no", _("No")

    class Internet(models.TextChoices):
        GOOD = "good", _("Yes, good enough for video lessons")
        WEAK = "weak", _("Yes, but not good enough for video lessons")
        NO = "no", _("No")

    class AnsweredBy(models.TextChoices):
        FAMILY = "family", _("The family")
        COORDINATOR = "coordinator", _("The coordinator")

    class Method(models.TextChoices):
        ONLINE = "online", _("Online")
        PAPER = "paper", _("On paper")
        PHONE = "phone", _("By phone")

    invite = models.OneToOneField(SurveyInvite, on_delete=models.CASCADE, related_name="answer")
    computer = models.CharField(_("computer at home"), max_length=8, choices=Computer.choices)
    shared_with = models.PositiveSmallIntegerField(_("shared with how many people"), null=True, blank=True)
    internet = models.CharField(_("internet at home"), max_length=8, choices=Internet.choices)
    wants_device = models.BooleanField(_("would like to borrow a device"), default=False)
    wants_internet = models.BooleanField(_("would like free internet"), default=False)
    wants_help = models.BooleanField(_("would like help to get started"), default=False)
    language = models.CharField(_("language"), max_length=8, blank=True)
    answered_by = models.CharField(_("answered by"), max_length=12, choices=AnsweredBy.choices)
    method = models.CharField(_("method"), max_length=8, choices=Method.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    SCHOOL_PATH = "invite__survey__school"

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")

    def __str__(self):
        return f"{self.invite}"

    @property
    def needs_device(self) -> bool:
        # No computer at all, or the family asks to borrow one (a shared computer may be enough).
        return self.wants_device or self.computer == self.Computer.NO

    @property
    def needs_internet(self) -> bool:
        # Internet that cannot carry a video lesson is not adequate internet.
        return self.wants_internet or self.internet in (self.Internet.NO, self.Internet.WEAK)


# --- local support ---------------------------------------------------------------------------------

class SupportOrganisation(models.Model):
    """A local e-inclusion organisation (digital neighbourhood centre, library, ...)."""

    class Kind(models.TextChoices):
        DIGITAL_CENTRE = "centre", _("Digital neighbourhood centre")
        LIBRARY = "library", _("Library")
        OCMW = "ocmw", _("OCMW / social services")
        OTHER = "other", _("Other")

    lop = models.ForeignKey(
        "portal.Lop", null=True, blank=True, on_delete=models.CASCADE, related_name="support_organisations"
    )
    municipality = models.CharField(_("municipality"), max_length=120)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.DIGITAL_CENTRE)
    address = models.CharField(_("address"), max_length=250, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    website = models.URLField(_("website"), blank=True)
    helps_with = models.TextField(_("what they help with"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["municipality", "name"]
        verbose_name = _("support organisation")
        verbose_name_plural = _("support organisations")

    def __str__(self):
        return f"{self.name} ({self.municipality})"


class Referral(models.Model):
    class Reason(models.TextChoices):
        FIRST_USE = "first_use", _("First use")
        TECHNICAL = "technical", _("Technical problem")
        SOFTWARE = "software", _("Software")
        PARENT_SKILLS = "skills", _("Digital skills of the parent")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "progress", _("In progress")
        DONE = "done", _("Done")

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="referrals")
    organisation = models.ForeignKey(SupportOrganisation, on_delete=models.PROTECT, related_name="referrals")
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(_("done on"), null=True, blank=True)

    SCHOOL_PATH = "household__school"

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")

    def __str__(self):
        return f"{self.get_reason_display()} → {self.organisation.name}"
