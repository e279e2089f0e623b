"""Pupil rows from any source (a file, the school platform), checked the same way before anything is planned.

A source turns what it reads into ``RosterRow`` values: raw text as the school's software gives it.
``check_rows`` then applies every rule once for all sources: required values, lengths, the grade,
e-mail addresses, languages, dates of birth, and one pupil per pupil number. A file with one row per
guardian repeats a pupil on several rows; those rows become one pupil with all their guardians, as
long as they agree on who the pupil is.
"""
import datetime
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from portal.csvfiles import RowError
from portal.languages import FAMILY_LANGUAGES
from portal.phones import to_e164

from .models import Guardian, Pupil
from .roster_grades import grade_from_class

# Language cells hold a code or a name, in the language itself, in Dutch or in English.
LANGUAGE_NAMES = {code: code for code, _name in FAMILY_LANGUAGES} | {
    name.lower(): code for code, name in FAMILY_LANGUAGES} | {
    "nederlands": "nl", "dutch": "nl", "frans": "fr", "french": "fr", "engels": "en", "english": "en",
    "arabisch": "ar", "arabic": "ar", "turks": "tr", "turkish": "tr", "pools": "pl", "polish": "pl",
    "roemeens": "ro", "romanian": "ro", "oekraïens": "uk", "oekraiens": "uk", "ukrainian": "uk",
}
# Co-account types (Smartschool), relation names (Informat) and the like, in Dutch, French and English.
RELATIONS = {
    Guardian.Relation.MOTHER: ("moeder", "mama", "mother", "mère", "mere"),
    Guardian.Relation.FATHER: ("vader", "papa", "father", "père", "pere"),
    Guardian.Relation.GUARDIAN: ("voogd", "voogdes", "guardian", "tuteur", "tutrice", "pleegouder"),
}
RELATION_NAMES = {name: relation for relation, names in RELATIONS.items() for name in names}
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")


@dataclass(frozen=True)
class GuardianIn:
    name: str = ""
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    phone: str = ""
    relation: str = ""
    # The co-account (1-6) this parent has on the pupil's Smartschool account, when the source says so.
    smartschool_coaccount: int | None = None

    @property
    def full_name(self) -> str:
        return self.name or " ".join(part for part in (self.first_name, self.last_name) if part)

    def __bool__(self) -> bool:
        return bool(self.full_name or self.email or self.phone)


@dataclass(frozen=True)
class RosterRow:
    """One pupil as a source gives it; ``line`` is the file line (or the position in another source)."""

    line: int
    number: str
    first_name: str
    last_name: str
    class_name: str
    grade: str = ""
    household_key: str = ""
    language: str = ""
    date_of_birth: str = ""
    guardians: tuple[GuardianIn, ...] = ()


@dataclass(frozen=True)
class CheckedGuardian:
    name: str
    email: str
    phone: str
    relation: str
    coaccount: int | None = None


@dataclass(frozen=True)
class CheckedPupil:
    line: int
    number: str
    first_name: str
    last_name: str
    class_name: str
    grade: int
    household_key: str
    language: str
    # Read and checked, not stored yet: the pupil has no date of birth field (the desk's issue adds it).
    date_of_birth: datetime.date | None
    guardians: tuple[CheckedGuardian, ...] = field(default=())


def normalise_number(value: str) -> str:
    # Excel drops leading zeros when it treats a column as numbers; "00123" and "123" are one pupil.
    value = "".join(value.split())
    return str(int(value)) if value.isascii() and value.isdigit() else value


def normalise_phone(value: str) -> str:
    """E.164 when it is a phone number (one number written two ways is one guardian); otherwise the
    digits as given, which messages leave out."""
    return to_e164(value) or re.sub(r"[\s./()-]", "", value)


def parse_date(text: str) -> datetime.date | None:
    text = text.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?", text):
        text = text[:10]  # an Excel date cell reads as a date and midnight
    for date_format in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, date_format).date()
        except ValueError:
            continue
    return None


def relation_of(text: str) -> str:
    return RELATION_NAMES.get(text.strip().casefold(), Guardian.Relation.OTHER if text.strip() else "")


class _RowChecker:
    """Checks one row; ``labels`` names each field the way the user sees it (a file's column names)."""

    def __init__(self, row: RosterRow, labels: dict[str, str], highest: int, class_grades: dict):
        self.row, self.labels, self.errors = row, labels, []
        self.highest, self.class_grades = highest, class_grades

    def problem(self, reason: str) -> None:
        self.errors.append(RowError(self.row.line, reason))

    def too_long(self, name: str, text: str, max_length: int) -> None:
        if len(text) > max_length:
            self.problem(_("“%(column)s” is longer than %(limit)d characters") % {
                "column": self.labels.get(name, name), "limit": max_length})

    def check(self) -> CheckedPupil | None:
        row = self.row
        number = normalise_number(row.number)
        for name in ("internal_number", "first_name", "last_name"):
            if not {"internal_number": number, "first_name": row.first_name, "last_name": row.last_name}[name].strip():
                self.problem(_("“%(column)s” is empty") % {"column": self.labels.get(name, name)})
        self.too_long("internal_number", number, Pupil._meta.get_field("internal_number").max_length)
        for name in ("first_name", "last_name", "class_name"):
            self.too_long(name, getattr(row, name).strip(), Pupil._meta.get_field(name).max_length)
        grade = self.grade()
        language = self.language()
        born = None
        if row.date_of_birth.strip():
            born = parse_date(row.date_of_birth)
            if born is None:
                self.problem(_("date of birth “%(value)s” is not a date such as 31/12/2014") % {
                    "value": row.date_of_birth.strip()})
        guardians = tuple(self.guardian(index, guardian) for index, guardian in enumerate(row.guardians, start=1)
                          if guardian)
        if self.errors:
            return None
        return CheckedPupil(row.line, number, row.first_name.strip(), row.last_name.strip(), row.class_name.strip(),
                            grade, row.household_key.strip(), language, born, guardians)

    def grade(self) -> int:
        text, class_name = self.row.grade.strip(), self.row.class_name.strip()
        if text:
            if text.isascii() and text.isdigit() and 1 <= int(text) <= self.highest:
                return int(text)
            self.problem(_("grade “%(value)s” is not a number from 1 to %(highest)d") % {
                "value": text, "highest": self.highest})
            return 0
        if not class_name:
            self.problem(_("“%(column)s” is empty") % {"column": self.labels.get("class_name", "class_name")})
            return 0
        grade = grade_from_class(class_name, self.highest, self.class_grades)
        if grade is None:
            self.problem(_("unknown class “%(value)s”: its name does not start with a grade from 1 to %(highest)d; "
                           "give it a grade in the class map") % {"value": class_name, "highest": self.highest})
            return 0
        return grade

    def language(self) -> str:
        text = self.row.language.strip()
        if not text:
            return ""
        code = LANGUAGE_NAMES.get(text.lower(), "")
        if not code:
            self.problem(_("unknown language “%(value)s” (known: %(known)s)") % {
                "value": text, "known": ", ".join(code for code, _name in FAMILY_LANGUAGES)})
        return code

    def guardian(self, index: int, guardian: GuardianIn) -> CheckedGuardian:
        email = guardian.email.strip().lower()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                self.problem(_("“%(value)s” is not a valid e-mail address") % {"value": email})
        name, phone = " ".join(guardian.full_name.split()), normalise_phone(guardian.phone)
        self.too_long(f"guardian{index}_name", name, Guardian._meta.get_field("name").max_length)
        self.too_long(f"guardian{index}_email", email, Guardian._meta.get_field("email").max_length)
        self.too_long(f"guardian{index}_phone", phone, Guardian._meta.get_field("phone").max_length)
        coaccount = guardian.smartschool_coaccount
        if coaccount is not None and coaccount not in range(1, 7):
            self.problem(_("co-account %(value)s is not a number from 1 to 6") % {"value": coaccount})
        return CheckedGuardian(name, email, phone, relation_of(guardian.relation), coaccount)


def _identity(row: RosterRow) -> tuple:
    """Who a row says the pupil is: rows of one number must agree on it (a second guardian's row does)."""
    return tuple(" ".join(text.split()).casefold() for text in (row.first_name, row.last_name, row.class_name,
                                                                  row.grade))


def check_rows(rows: list[RosterRow], *, highest: int, class_grades: dict | None = None,
               labels: dict[str, str] | None = None) -> tuple[list[CheckedPupil], list[RowError]]:
    """Every row checked; rows of one pupil number merged (one row per guardian). Errors name every bad line."""
    errors: list[RowError] = []
    pupils: dict[str, CheckedPupil] = {}
    first_row: dict[str, RosterRow] = {}
    for row in rows:
        checker = _RowChecker(row, labels or {}, highest, class_grades or {})
        pupil = checker.check()
        errors.extend(checker.errors)
        number = normalise_number(row.number)
        first = first_row.setdefault(number, row) if number else row
        if first is not row and _identity(first) != _identity(row):
            errors.append(RowError(row.line, _(
                "pupil number %(number)s already appears on line %(first)d with another name, class or grade")
                % {"number": number, "first": first.line}))
            continue
        if pupil is None:
            continue
        known = pupils.get(number)
        if known is None:
            pupils[number] = pupil
        else:
            # The same pupil again with one more guardian: an export with one row per parent.
            pupils[number] = CheckedPupil(
                known.line, known.number, known.first_name, known.last_name, known.class_name, known.grade,
                known.household_key or pupil.household_key, known.language or pupil.language,
                known.date_of_birth or pupil.date_of_birth, known.guardians + pupil.guardians)
    return list(pupils.values()), errors
