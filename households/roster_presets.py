"""Roster files as the school's software exports them: which column holds what.

A mapping is a flat dict from a field key to a column of the file: the pupil fields ("first_name",
"class_name", ...) and, per guardian slot, "guardian<n>_<part>" (n from 1 to 6; part one of name,
first_name, last_name, email, phone, relation). Presets find the columns of a known export by their
names; the generic preset is the school's own choice of columns, remembered from the last import.

Column names are compared "squashed" (lower case, letters and digits only), so "E-mail co-account 1",
"email_coaccount1" and "EMAIL COACCOUNT1" are the same column.
"""
import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from portal.csvfiles import CsvFile, normalise_header

from .roster_rows import GuardianIn, RosterRow

PUPIL_FIELDS = ("internal_number", "first_name", "last_name", "class_name", "grade", "household_key", "language",
                "date_of_birth")
REQUIRED_FIELDS = ("internal_number", "first_name", "last_name", "class_name")
GUARDIAN_PARTS = ("name", "first_name", "last_name", "email", "phone", "relation")
GUARDIAN_SLOTS = 6
# A column that says what kind of account a row is (Smartschool's "basisrol"): rows of other kinds are left out.
ROLE_FIELD = "role"
PUPIL_ROLES = ("leerling", "pupil", "student", "eleve", "élève")

GENERIC = "generic"
# The generic mapping's fields and labels, in the order the form shows them; two guardians per row at most.
GENERIC_LABELS = {
    "first_name": _("First name"),
    "last_name": _("Last name"),
    "class_name": _("Class"),
    "grade": _("Grade (leerjaar)"),
    "internal_number": _("Pupil number"),
    "household_key": _("Household key (same value for siblings)"),
    "date_of_birth": _("Date of birth"),
    "language": _("Family language"),
    "guardian1_name": _("Guardian 1: full name"),
    "guardian1_first_name": _("Guardian 1: first name"),
    "guardian1_last_name": _("Guardian 1: last name"),
    "guardian1_email": _("Guardian 1: e-mail address"),
    "guardian1_phone": _("Guardian 1: mobile phone"),
    "guardian2_name": _("Guardian 2: full name"),
    "guardian2_first_name": _("Guardian 2: first name"),
    "guardian2_last_name": _("Guardian 2: last name"),
    "guardian2_email": _("Guardian 2: e-mail address"),
    "guardian2_phone": _("Guardian 2: mobile phone"),
}
GENERIC_FIELDS = list(GENERIC_LABELS)
# What the usual Flemish administration exports call each field; the first that is in the file is suggested.
GENERIC_DEFAULTS = {
    "first_name": ("voornaam",), "last_name": ("naam", "familienaam"), "class_name": ("klas",),
    "grade": ("leerjaar",), "internal_number": ("leerlingnummer", "stamnummer"), "household_key": ("gezin",),
    "date_of_birth": ("geboortedatum",), "language": ("taal",),
    "guardian1_name": ("ouder", "ouder 1"), "guardian1_email": ("e-mail ouder", "e-mail ouder 1"),
    "guardian1_phone": ("gsm ouder", "gsm ouder 1"), "guardian2_name": ("ouder 2",),
    "guardian2_email": ("e-mail ouder 2",), "guardian2_phone": ("gsm ouder 2",),
}
# Mappings remembered before there were two guardians per row.
OLD_KEYS = {"guardian_name": "guardian1_name", "guardian_email": "guardian1_email", "guardian_phone": "guardian1_phone"}


def squash(name: str) -> str:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^0-9a-z]", "", text)


@dataclass(frozen=True)
class Preset:
    key: str
    label: str
    # Field key -> the column names it may have, in order of preference.
    columns: dict
    # The columns that tell this export apart; any one of them is enough.
    markers: tuple = ()
    # Guardian slots whose relation the columns themselves say (WISA's mo_ and va_ prefixes).
    fixed_relations: dict | None = None


def _slots(patterns: dict[str, tuple[str, ...]], slots=range(1, GUARDIAN_SLOTS + 1)) -> dict:
    return {f"guardian{n}_{part}": tuple(pattern.format(n=n) for pattern in names)
            for n in slots for part, names in patterns.items()}


SMARTSCHOOL = Preset(
    key="smartschool", label=_("Smartschool user export (co-accounts 1 to 6)"),
    columns={
        "internal_number": ("internnummer", "intern nummer", "stamboeknummer"), "first_name": ("voornaam",),
        "last_name": ("naam",), "class_name": ("klas", "klasnaam", "officiele klas"),
        "date_of_birth": ("geboortedatum",), ROLE_FIELD: ("basisrol",),
        **_slots({"first_name": ("voornaam_coaccount{n}", "voornaam co-account {n}"),
                  "last_name": ("naam_coaccount{n}", "naam co-account {n}"),
                  "email": ("email_coaccount{n}", "e-mail co-account {n}", "e-mailadres co-account {n}"),
                  "phone": ("mobielnummer_coaccount{n}", "gsm_coaccount{n}", "mobiel nummer co-account {n}",
                            "gsm-nummer co-account {n}"),
                  "relation": ("type_coaccount{n}", "type co-account {n}")}),
    },
    markers=("voornaam_coaccount1", "email_coaccount1", "type_coaccount1"),
)
WISA = Preset(
    key="wisa", label=_("WISA export (mother and father columns, mo_ and va_)"),
    columns={
        "internal_number": ("leerlingnummer", "stamboeknummer"), "first_name": ("voornaam",), "last_name": ("naam",),
        "class_name": ("klascode", "klas", "klasgroep"), "grade": ("leerjaar",), "date_of_birth": ("geboortedatum",),
        **{f"guardian{n}_{part}": (f"{prefix}_{column}",) for n, prefix in ((1, "mo"), (2, "va"), (3, "vo"))
           for part, column in (("first_name", "voornaam"), ("last_name", "naam"), ("email", "email"),
                                ("phone", "gsm"))},
    },
    markers=("mo_naam", "va_naam", "mo_email", "va_email"),
    fixed_relations={1: "mother", 2: "father", 3: "guardian"},
)
INFORMAT = Preset(
    key="informat", label=_("Informat export (tab-separated text, one row per relation)"),
    columns={
        "internal_number": ("stamnummer", "stamnr", "leerlingnummer"), "first_name": ("voornaam",),
        "last_name": ("naam",), "class_name": ("klascode", "klas", "klasnaam"),
        "grade": ("leerjaar", "jaar", "afdelingsjaar"), "date_of_birth": ("geboortedatum",),
        "guardian1_relation": ("relatie", "type relatie", "relatietype", "relatie type"),
        "guardian1_first_name": ("voornaam relatie", "relatie voornaam"),
        "guardian1_last_name": ("naam relatie", "relatie naam"),
        "guardian1_email": ("e-mail relatie", "email relatie", "relatie e-mail"),
        "guardian1_phone": ("gsm relatie", "relatie gsm", "mobiel relatie"),
    },
    markers=("type relatie", "relatietype", "naam relatie"),
)
PRESETS = {preset.key: preset for preset in (SMARTSCHOOL, WISA, INFORMAT)}
CHOICES = [(GENERIC, _("Other: I choose the columns")), *((p.key, p.label) for p in PRESETS.values())]


def detect(header: list[str]) -> str:
    """The known export this header belongs to, else the generic mapping."""
    present = {squash(name) for name in header}
    for preset in PRESETS.values():
        if any(squash(marker) in present for marker in preset.markers):
            return preset.key
    return GENERIC


def preset_mapping(key: str, header: list[str]) -> dict[str, str]:
    """The columns of ``header`` a known export's fields are in (absent fields are left out)."""
    by_squashed = {squash(name): name for name in header}
    mapping = {}
    for field_key, names in PRESETS[key].columns.items():
        found = next((by_squashed[squash(name)] for name in names if squash(name) in by_squashed), None)
        if found is not None:
            mapping[field_key] = found
    return mapping


def clean_mapping(columns: dict) -> dict[str, str]:
    """Known field keys only (old names translated), compared the way the file reader names columns."""
    known = {*PUPIL_FIELDS, ROLE_FIELD, *(f"guardian{n}_{part}" for n in range(1, GUARDIAN_SLOTS + 1)
                                          for part in GUARDIAN_PARTS)}
    cleaned = {}
    for key, column in columns.items():
        key = OLD_KEYS.get(key, key)
        if key in known and column:
            cleaned[key] = normalise_header(column)
    return cleaned


def suggested_mapping(header: list[str], remembered: dict | None) -> dict[str, str]:
    """For the generic mapping form: the school's remembered columns, else the usual names, where present."""
    remembered = clean_mapping(remembered or {})
    suggestion = {}
    for key in GENERIC_FIELDS:
        for candidate in (remembered.get(key), *GENERIC_DEFAULTS.get(key, ())):
            if candidate and normalise_header(candidate) in header:
                suggestion[key] = normalise_header(candidate)
                break
    return suggestion


def missing_fields(mapping: dict) -> list[str]:
    return [key for key in REQUIRED_FIELDS if key not in mapping]


def rows_from_table(table: CsvFile, mapping: dict, *, preset: str = GENERIC) -> tuple[list[RosterRow], int]:
    """RosterRows from the file's rows, and how many rows were left out because they are not pupils."""
    relations = (PRESETS[preset].fixed_relations if preset in PRESETS else None) or {}
    # Smartschool's guardian slots are the pupil's co-accounts: slot n is co-account n, where messages go.
    coaccounts = preset == SMARTSCHOOL.key
    rows, skipped = [], 0
    for row in table.rows:
        def cell(key, row=row):
            return row[mapping[key]].strip() if key in mapping else ""

        if ROLE_FIELD in mapping and cell(ROLE_FIELD) and squash(cell(ROLE_FIELD)) not in map(squash, PUPIL_ROLES):
            skipped += 1
            continue
        guardians = tuple(
            GuardianIn(name=cell(f"guardian{n}_name"), first_name=cell(f"guardian{n}_first_name"),
                       last_name=cell(f"guardian{n}_last_name"), email=cell(f"guardian{n}_email"),
                       phone=cell(f"guardian{n}_phone"),
                       relation=cell(f"guardian{n}_relation") or (relations.get(n, "") if any(
                           cell(f"guardian{n}_{part}") for part in GUARDIAN_PARTS) else ""),
                       smartschool_coaccount=n if coaccounts else None)
            for n in range(1, GUARDIAN_SLOTS + 1))
        rows.append(RosterRow(
            line=row.line, number=cell("internal_number"), first_name=cell("first_name"), last_name=cell("last_name"),
            class_name=cell("class_name"), grade=cell("grade"), household_key=cell("household_key"),
            language=cell("language"), date_of_birth=cell("date_of_birth"),
            guardians=tuple(guardian for guardian in guardians if guardian)))
    return rows, skipped

