"""Schools and LOPs as the education department lists them, and what a school sets for itself."""
import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


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

    # A new value, in the same transaction, with every change to the school's agreement terms or
    # calendar (portal/school_rules.py): a process may keep those in memory under it. Empty: rows
    # written around the ORM (the Flanders bench's COPY), never kept in memory.
    rules_stamp = models.UUIDField(default=uuid.uuid4, null=True, editable=False)

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
