from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.models import School

# Languages a family can get its letters and agreement in. Dutch is the reference text.
FAMILY_LANGUAGES = [
    ("nl", "Nederlands"),
    ("fr", "Français"),
    ("en", "English"),
    ("ar", "العربية"),
    ("tr", "Türkçe"),
    ("pl", "Polski"),
    ("ro", "Română"),
    ("uk", "Українська"),
]


class Household(models.Model):
    """A family as one school knows it.

    Each school keeps its own household record, so a school never sees what another school
    knows about the same family; siblings at one school share one household. No national
    register number and no income are stored: the job does not need them.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("Text message (SMS)")
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
        _("contact channel"), max_length=8, choices=Channel.choices, default=Channel.EMAIL
    )
    device_at_home = models.CharField(
        _("computer at home"), max_length=8, choices=Access.choices, default=Access.UNKNOWN
    )
    internet_at_home = models.CharField(
        _("internet at home"), max_length=8, choices=Access.choices, default=Access.UNKNOWN
    )
    pointed_to_social_tariff_at = models.DateTimeField(_("pointed to the social tariff on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    SCHOOL_PATH = "school"

    class Meta:
        ordering = ["name"]
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self):
        return self.name


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
    active = models.BooleanField(_("still at school"), default=True)
    needs_device = models.BooleanField(_("needs a device"), default=False)
    needs_internet = models.BooleanField(_("needs internet"), default=False)

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
        return f"{self.first_name} {self.last_name}"

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}"


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
