"""The figures roll-up: one row per school and school year (and per school and month), so a report
reads a few thousand small rows instead of aggregating millions (reports/rollup.py fills it)."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.models import School


class SchoolYearFigures(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    start_year = models.PositiveSmallIntegerField()
    # Every figure of reports.figures.empty_counts(), exact.
    counts = models.JSONField(default=dict)
    # Disclosure control (reports/suppression.py), decided over the school's whole stratum:
    # figure -> "<5" or "–" for the cells that do not show.
    hidden = models.JSONField(default=dict)
    # Figures whose LOP totals must not show (the stratum was protected across LOPs).
    lop_total_hidden = models.JSONField(default=list)
    # Figures no total containing this school may show (the stratum could not be protected at all).
    group_hidden = models.JSONField(default=list)
    # All of the above as one compact JSON array (reports.rollup.pack): what a report reads, because
    # decoding four JSON documents per school for 3,800 schools cost more than the whole page.
    packed = models.TextField(default="")
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("school figures of a year")
        verbose_name_plural = _("school figures of a year")
        constraints = [models.UniqueConstraint(fields=["school", "start_year"], name="school_year_figures_unique")]
        indexes = [models.Index(fields=["start_year", "school"])]

    def __str__(self):
        return f"{self.school_id} {self.start_year}"


class SchoolMonthFigures(models.Model):
    """Open loans to pupils and signed agreements at the month's end; internet codes handed out and
    activated during the month. Only months with something to count have a row."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    open_pupil = models.PositiveIntegerField(default=0)
    signed = models.PositiveIntegerField(default=0)
    issued = models.PositiveIntegerField(default=0)
    activations = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("school figures of a month")
        verbose_name_plural = _("school figures of a month")
        constraints = [models.UniqueConstraint(fields=["school", "month"], name="school_month_figures_unique")]
        indexes = [models.Index(fields=["month", "school"])]

    def __str__(self):
        return f"{self.school_id} {self.month:%Y-%m}"


class PartFigures(models.Model):
    """The summed figures of one *part* in one school year: the schools of one LOP with the same province,
    level, type and network, the unit the disclosure control protects (reports/summary.py). The LOP
    report and the Flanders view add up these few hundred rows instead of reading every school's."""

    start_year = models.PositiveSmallIntegerField()
    lop_id = models.IntegerField(null=True)  # not a key: an LOP that goes keeps its schools' parts until the nightly
    province = models.CharField(max_length=20)
    level = models.CharField(max_length=16)
    special_needs = models.BooleanField()
    network = models.CharField(max_length=8)
    summary = models.TextField()  # reports.summary.Summary.dumps()
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("figures of a group of schools")
        verbose_name_plural = _("figures of groups of schools")
        indexes = [models.Index(fields=["start_year", "lop_id"])]

    def __str__(self):
        return f"{self.start_year} {self.lop_id} {self.province} {self.level} {self.special_needs} {self.network}"
