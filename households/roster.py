"""Import the pupil roster from the school administration's export (CSV or XLSX).

All or nothing, like every import in the portal: the whole file is checked first and any bad line
rejects it, listing every bad line with its number and reason. Pupils are keyed on
(school, internal_number), so a re-import updates them; pupils missing from the file are marked as
having left (``active=False``), never deleted, and become active again when they reappear.

Siblings share a household: rows with the same household key, or (where that cell is empty or the
column is not mapped) the same guardian e-mail, or else the same guardian phone, go into one Household
of the school. Only a guardian's name, e-mail and phone are taken: no national register number, no
address, no income.
"""
import re
from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal import uploads
from portal.audit import record
from portal.csvfiles import CsvFile, ImportRejected, Row, RowError, normalise_header
from portal.languages import FAMILY_LANGUAGES
from portal.models import AuditEvent, EducationLevel, School
from portal.phones import to_e164

from .models import Guardian, Household, Pupil
from .roster_file import parse_date_cell, read_table


@dataclass(frozen=True)
class RosterField:
    name: str
    label: str
    default_column: str  # what the usual Flemish school administration exports call it
    required: bool


# In the order the upload form shows them.
FIELDS = [
    RosterField("first_name", gettext_lazy("First name"), "voornaam", True),
    RosterField("last_name", gettext_lazy("Last name"), "naam", True),
    RosterField("class_name", gettext_lazy("Class"), "klas", True),
    RosterField("grade", gettext_lazy("Grade (leerjaar)"), "leerjaar", False),
    RosterField("internal_number", gettext_lazy("Pupil number"), "leerlingnummer", True),
    RosterField("household_key", gettext_lazy("Household key (same value for siblings)"), "gezin", False),
    RosterField("guardian_name", gettext_lazy("Guardian's name"), "ouder", False),
    RosterField("guardian_email", gettext_lazy("Guardian's e-mail address"), "e-mail ouder", False),
    RosterField("guardian_phone", gettext_lazy("Guardian's phone number"), "gsm ouder", False),
    RosterField("language", gettext_lazy("Family language"), "taal", False),
    RosterField("date_of_birth", gettext_lazy("Date of birth (pupils of 18 and over sign themselves)"),
                "geboortedatum", False),
]
FIELD_NAMES = [f.name for f in FIELDS]
REQUIRED_FIELDS = [f.name for f in FIELDS if f.required]
DEFAULT_COLUMNS = {f.name: f.default_column for f in FIELDS}
PUPIL_FIELDS = ["first_name", "last_name", "class_name", "grade", "household_id", "active", "left_on", "date_of_birth"]

MAX_UPLOAD_BYTES = uploads.ROSTER.max_bytes

# A class name starts with its grade: "5A" is in grade 5, "1B-LAT" in grade 1, "6 STEM" in grade 6.
CLASS_GRADE = re.compile(r"^\s*(\d+)")
# Language cells hold a code or a name, in the language itself, in Dutch or in English.
LANGUAGE_NAMES = {code: code for code, _name in FAMILY_LANGUAGES} | {
    name.lower(): code for code, name in FAMILY_LANGUAGES} | {
    "nederlands": "nl", "dutch": "nl", "frans": "fr", "french": "fr", "engels": "en", "english": "en",
    "arabisch": "ar", "arabic": "ar", "turks": "tr", "turkish": "tr", "pools": "pl", "polish": "pl",
    "roemeens": "ro", "romanian": "ro", "oekraïens": "uk", "oekraiens": "uk", "ukrainian": "uk",
}


@dataclass(frozen=True)
class RosterSummary:
    created: int
    updated: int
    unchanged: int
    deactivated: int
    households_created: int = 0
    guardians_created: int = 0

    def __str__(self) -> str:
        # Counts as "label: number", so one message serves 1 and many without plural forms.
        return _("pupils created: %(created)d, updated: %(updated)d, unchanged: %(unchanged)d, "
                 "marked as left: %(deactivated)d") % {
            "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
            "deactivated": self.deactivated}


# --- reading the file: households/roster_file.py ----------------------------------------------------


def suggested_columns(header: list[str], remembered: dict | None) -> dict[str, str]:
    """The mapping to pre-fill: the school's remembered one, else the usual header names, where present."""
    suggestion = {}
    for name in FIELD_NAMES:
        for candidate in ((remembered or {}).get(name), DEFAULT_COLUMNS[name]):
            if candidate and normalise_header(candidate) in header:
                suggestion[name] = normalise_header(candidate)
                break
    return suggestion


def clean_columns(columns: dict) -> dict[str, str]:
    """Keep only known fields with a column; compare column names the way the file reader does."""
    return {name: normalise_header(columns[name]) for name in FIELD_NAMES if columns.get(name)}


# --- checking the rows ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedRow:
    line: int
    number: str
    first_name: str
    last_name: str
    class_name: str
    grade: int
    family_key: tuple | None
    guardian: tuple[str, str, str] | None  # name, e-mail, phone
    language: str
    date_of_birth: object = None  # a date; only written when the column is mapped


def max_grade(school: School) -> int:
    return 6 if school.level == EducationLevel.PRIMARY else 7


def grade_from_class(class_name: str, highest: int) -> int | None:
    """The grade a class name starts with, or None.

    An "unknown class" is a class from which no grade can be derived: its name does not start with
    a number from 1 to the school's highest grade (6 in primary, 7 in secondary). It only matters when
    the grade column is not mapped or its cell is empty, e.g. "K3" (a nursery class) or "OKAN".
    """
    match = CLASS_GRADE.match(class_name)
    if match and 1 <= int(match.group(1)) <= highest:
        return int(match.group(1))
    return None


def normalise_number(value: str) -> str:
    # Excel drops leading zeros when it treats a column as numbers; "00123" and "123" are one pupil.
    value = "".join(value.split())
    return str(int(value)) if value.isascii() and value.isdigit() else value


def normalise_phone(value: str) -> str:
    """E.164 when it is a phone number (one number written two ways is one guardian); otherwise the
    digits as given, which messages leave out."""
    return to_e164(value) or re.sub(r"[\s./()-]", "", value)


def parse_rows(table: CsvFile, columns: dict[str, str], school: School) -> tuple[list[ParsedRow], list[RowError]]:
    errors = list(table.errors)
    parsed, first_line = [], {}
    highest = max_grade(school)
    for row in table.rows:
        result, row_errors = _parse_row(row, columns, highest)
        if result is not None and result.number in first_line:
            row_errors.append(RowError(row.line, _("pupil number %(number)s already appears on line %(first)d") % {
                "number": result.number, "first": first_line[result.number]}))
        elif result is not None and result.number:
            first_line[result.number] = row.line
        errors.extend(row_errors)
        if not row_errors:
            parsed.append(result)
    return parsed, errors


def _parse_row(row: Row, columns: dict[str, str], highest: int) -> tuple[ParsedRow | None, list[RowError]]:
    errors = []

    def value(name):
        return row[columns[name]].strip() if name in columns else ""

    def problem(reason):
        errors.append(RowError(row.line, reason))

    def limit(name, text, model_field):
        max_length = model_field.max_length
        if len(text) > max_length:
            problem(_("“%(column)s” is longer than %(limit)d characters") % {
                "column": columns[name], "limit": max_length})

    number = normalise_number(value("internal_number"))
    for name in ("internal_number", "first_name", "last_name"):
        if not value(name):
            problem(_("“%(column)s” is empty") % {"column": columns[name]})
    limit("internal_number", number, Pupil._meta.get_field("internal_number"))
    for name in ("first_name", "last_name", "class_name"):
        limit(name, value(name), Pupil._meta.get_field(name))

    class_name = value("class_name")
    grade = None
    if value("grade"):
        text = value("grade")
        if text.isascii() and text.isdigit() and 1 <= int(text) <= highest:
            grade = int(text)
        else:
            problem(_("grade “%(value)s” is not a number from 1 to %(highest)d") % {
                "value": text, "highest": highest})
    else:
        grade = grade_from_class(class_name, highest)
        if grade is None:
            problem(_("unknown class “%(value)s”: its name does not start with a grade from 1 to %(highest)d")
                    % {"value": class_name, "highest": highest})

    guardian_name = value("guardian_name")
    email = value("guardian_email").lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problem(_("“%(value)s” is not a valid e-mail address") % {"value": email})
    phone = normalise_phone(value("guardian_phone"))
    limit("guardian_name", guardian_name, Guardian._meta.get_field("name"))
    limit("guardian_email", email, Guardian._meta.get_field("email"))
    limit("guardian_phone", phone, Guardian._meta.get_field("phone"))

    language = ""
    if value("language"):
        language = LANGUAGE_NAMES.get(value("language").lower(), "")
        if not language:
            problem(_("unknown language “%(value)s” (known: %(known)s)") % {
                "value": value("language"), "known": ", ".join(code for code, _name in FAMILY_LANGUAGES)})

    born = parse_date_cell(value("date_of_birth")) if value("date_of_birth") else None
    if value("date_of_birth") and born is None:
        problem(_("“%(value)s” is not a date (write it as 14/03/2008)") % {"value": value("date_of_birth")})
    if errors:
        return (ParsedRow(row.line, number, "", "", "", 0, None, None, "") if number else None), errors
    key = value("household_key")
    family_key = ("key", key.lower()) if key else ("email", email) if email else ("phone", phone) if phone else None
    guardian = (guardian_name, email, phone) if (guardian_name or email or phone) else None
    return ParsedRow(row.line, number, value("first_name"), value("last_name"), class_name, grade,
                     family_key, guardian, language, born), []


# --- planning the changes -----------------------------------------------------------------------


@dataclass
class RosterPlan:
    summary: RosterSummary
    new_households: list[Household] = field(default_factory=list)
    changed_households: list[Household] = field(default_factory=list)
    new_pupils: list[Pupil] = field(default_factory=list)
    changed_pupils: list[Pupil] = field(default_factory=list)
    leaver_ids: list[int] = field(default_factory=list)
    new_guardians: list[Guardian] = field(default_factory=list)
    changed_guardians: list[Guardian] = field(default_factory=list)


def plan_roster(*, school: School, data: bytes, columns: dict) -> RosterPlan:
    """Check the file and work out every change, without writing; raise ImportRejected on any bad line."""
    columns = clean_columns(columns)
    missing = [str(f.label) for f in FIELDS if f.required and f.name not in columns]
    if missing:
        raise ImportRejected([RowError(1, _("choose a column for: %(fields)s") % {"fields": ", ".join(missing)})])
    table = read_table(data, required=list(dict.fromkeys(columns.values())))
    rows, errors = parse_rows(table, columns, school)
    if errors:
        raise ImportRejected(errors)
    return _plan(school, rows, dates_mapped="date_of_birth" in columns)


def _plan(school: School, rows: list[ParsedRow], dates_mapped: bool = False) -> RosterPlan:
    # Compared as the file's numbers are, so a number typed as "0500" elsewhere still matches 500.
    existing = {normalise_number(p.internal_number): p for p in Pupil.objects.filter(school=school).only(
        "id", "school", "internal_number", "first_name", "last_name", "class_name", "grade", "household", "active",
        "left_on", "date_of_birth")}
    households = {h.pk: h for h in Household.objects.filter(school=school).only("id", "school_id", "name",
                                                                                 "preferred_language")}
    plan = RosterPlan(summary=None)

    # One household per family: the household most of its already-known pupils are in, unless another
    # family of this file took it first; else a new one. Pupils without any family key keep theirs.
    claimed: set[int] = set()
    household_of_row: dict[int, Household] = {}
    families: dict[tuple, list[ParsedRow]] = {}
    for row in rows:
        families.setdefault(row.family_key or ("row", row.line), []).append(row)
    for key, members in families.items():
        known = [existing[r.number].household_id for r in members
                 if r.number in existing and existing[r.number].household_id in households]
        if key[0] == "row":
            household = households[known[0]] if known else None
        else:
            candidates = [pk for pk, _count in Counter(known).most_common() if pk not in claimed]
            household = households[candidates[0]] if candidates else None
            if household is not None:
                claimed.add(household.pk)
        if household is None:
            household = Household(school=school, name=members[0].last_name)
            plan.new_households.append(household)
        language = next((r.language for r in members if r.language), "")
        if language and household.preferred_language != language:
            household.preferred_language = language
            # Pupils without a family key can share a kept household: list it once.
            if household.pk and household not in plan.changed_households:
                plan.changed_households.append(household)
        for row in members:
            household_of_row[row.line] = household
    _plan_guardians(plan, families, household_of_row)

    created = updated = unchanged = 0
    for row in rows:
        household = household_of_row[row.line]
        values = {"first_name": row.first_name, "last_name": row.last_name, "class_name": row.class_name,
                  "grade": row.grade, "active": True, "left_on": None}
        if dates_mapped:
            values["date_of_birth"] = row.date_of_birth
        pupil = existing.get(row.number)
        if pupil is None:
            plan.new_pupils.append(Pupil(school=school, internal_number=row.number, household=household, **values))
            created += 1
        elif household.pk is not None and household.pk == pupil.household_id and all(
                getattr(pupil, name) == new for name, new in values.items()):
            unchanged += 1
        else:
            for name, new in values.items():
                setattr(pupil, name, new)
            pupil.household = household
            plan.changed_pupils.append(pupil)
            updated += 1
    in_file = {row.number for row in rows}
    plan.leaver_ids = [p.pk for number, p in existing.items() if p.active and number not in in_file]
    plan.summary = RosterSummary(created=created, updated=updated, unchanged=unchanged,
                                 deactivated=len(plan.leaver_ids), households_created=len(plan.new_households),
                                 guardians_created=len(plan.new_guardians))
    return plan


def _plan_guardians(plan: RosterPlan, families: dict, household_of_row: dict) -> None:
    if not any(r.guardian for members in families.values() for r in members):
        return
    in_database: dict[int, list[Guardian]] = {}
    household_ids = {h.pk for h in household_of_row.values() if h.pk}
    for guardian in Guardian.objects.filter(household_id__in=household_ids):
        in_database.setdefault(guardian.household_id, []).append(guardian)
    # Keyed by the Python object: new households have no primary key yet.
    per_household: dict[int, list[Guardian]] = {}
    for members in families.values():
        household = household_of_row[members[0].line]
        guardians = per_household.setdefault(id(household), in_database.get(household.pk, []) if household.pk else [])
        for row in members:
            if row.guardian is None:
                continue
            name, email, phone = row.guardian
            match = next((g for g in guardians if (email and g.email.lower() == email)
                          or (phone and normalise_phone(g.phone) == phone)
                          or (not email and not phone and name and g.name.lower() == name.lower())), None)
            if match is None:
                guardian = Guardian(household=household, name=name or email or phone, email=email, phone=phone)
                guardians.append(guardian)
                plan.new_guardians.append(guardian)
            elif any((name and match.name != name, email and match.email != email, phone and match.phone != phone)):
                match.name, match.email, match.phone = name or match.name, email or match.email, phone or match.phone
                if match.pk and match not in plan.changed_guardians:
                    plan.changed_guardians.append(match)


# --- writing -------------------------------------------------------------------------------------


def import_roster(*, school: School, data: bytes, filename: str, columns: dict, by=None) -> RosterSummary:
    """Create, update and deactivate the school's pupils from a roster file, all or nothing.

    Raises ImportRejected listing every bad line; nothing is written then. The column mapping is
    remembered on the school for the next import.
    """
    columns = clean_columns(columns)
    with transaction.atomic():
        # One import per school at a time; a second waits here and then sees the first one's pupils.
        School.objects.select_for_update().filter(pk=school.pk).values_list("pk", flat=True).get()
        plan = plan_roster(school=school, data=data, columns=columns)
        Household.objects.bulk_create(plan.new_households)
        for pupil in (*plan.new_pupils, *plan.changed_pupils):
            pupil.household_id = pupil.household.pk
        for guardian in plan.new_guardians:
            guardian.household_id = guardian.household.pk
        Pupil.objects.bulk_create(plan.new_pupils)
        if plan.changed_pupils:
            Pupil.objects.bulk_update(plan.changed_pupils, fields=PUPIL_FIELDS)
        if plan.leaver_ids:
            Pupil.objects.filter(pk__in=plan.leaver_ids).update(active=False, left_on=timezone.localdate())
        if plan.changed_households:
            Household.objects.bulk_update(plan.changed_households, fields=["preferred_language"])
        Guardian.objects.bulk_create(plan.new_guardians)
        if plan.changed_guardians:
            Guardian.objects.bulk_update(plan.changed_guardians, fields=["name", "email", "phone"])
        before = {"roster_columns": school.roster_columns}
        school.roster_columns = columns
        school.save(update_fields=["roster_columns"])
        summary = plan.summary
        # Counts only: names of children never go into the audit trail.
        record(actor=by, action=AuditEvent.Action.ROSTER_IMPORTED, instance=school, school=school, before=before,
               after={"file": filename[:200], "columns": columns, "created": summary.created,
                      "updated": summary.updated, "unchanged": summary.unchanged,
                      "deactivated": summary.deactivated, "households_created": summary.households_created,
                      "guardians_created": summary.guardians_created})
    return summary

