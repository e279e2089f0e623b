"""Import the official Flemish school list (Onderwijs en Vorming) into School rows.

All or nothing: the whole file is checked first and any bad row rejects the file, because a half-imported
list is worse than none. Schools are keyed on `instellingsnummer`, so re-running an import updates them.
"""
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from .csvfiles import ImportRejected, Row, RowError, read_csv
from .models import EducationLevel, Lop, Network, Province, School

PROVINCES = {
    "1": Province.ANTWERPEN,
    "3": Province.WEST_VLAANDEREN,
    "4": Province.OOST_VLAANDEREN,
    "5": Province.OUTSIDE,  # Henegouwen: one GO! school in Komen.
    "7": Province.LIMBURG,
    "B": Province.BRUSSELS,
    "V": Province.VLAAMS_BRABANT,
}
LEVELS = {"bao": EducationLevel.PRIMARY, "so": EducationLevel.SECONDARY}
NETWORKS = {
    "gemeenschapsonderwijs": Network.GO,
    "officieel gesubsidieerd onderwijs": Network.OFFICIAL,
    "vrij gesubsidieerd onderwijs": Network.FREE,
    "andere": Network.OTHER,
    "": "",  # The source has one school without a network; that is data, not an error.
}
# School field <- column copied as is.
COPIED = {
    "name": "naam",
    "street": "straat",
    "house_number": "huisnummer",
    "postcode": "postcode",
    "municipality": "gemeente",
    "institution_type": "instellingstype",
}
MAPPED_FIELDS = [*COPIED, "province", "level", "special_needs", "network"]
# In the order of the official file, so a "missing columns" message reads like its header.
REQUIRED_COLUMNS = [
    "schoolnummer", "net", "naam", "straat", "huisnummer", "postcode", "gemeente", "provinciecode",
    "onderwijsniveau", "instellingstype",
]
BATCH_SIZE = 500


@dataclass(frozen=True)
class ImportSummary:
    created: int
    updated: int
    unchanged: int

    def __str__(self) -> str:
        return _("%(created)d created, %(updated)d updated, %(unchanged)d unchanged") % {
            "created": self.created, "updated": self.updated, "unchanged": self.unchanged}


def import_schools(*, data: bytes, lop: Lop | None = None) -> ImportSummary:
    """Create or update schools from the CSV in `data`; new schools join `lop`, existing ones keep theirs.

    Raises ImportRejected listing every bad line; nothing is written then.
    """
    table = read_csv(data, required=REQUIRED_COLUMNS)
    errors = list(table.errors)
    parsed: dict[str, dict] = {}
    first_line: dict[str, int] = {}
    for row in table.rows:
        number, values, row_errors = _parse_row(row)
        if number and number in first_line:
            reason = _("schoolnummer %(number)s already appears on line %(first)d") % {
                "number": number, "first": first_line[number]}
            row_errors.append(RowError(row.line, reason))
        elif number:
            first_line[number] = row.line
        errors.extend(row_errors)
        if not row_errors:
            parsed[number] = values
    if errors:
        raise ImportRejected(errors)
    return _save(parsed, lop)


def _parse_row(row: Row) -> tuple[str, dict, list[RowError]]:
    errors = []

    def problem(reason: str) -> None:
        errors.append(RowError(row.line, reason))

    number = row["schoolnummer"]
    if not number:
        problem(_("schoolnummer is empty"))
    elif not (number.isascii() and number.isdigit()):
        problem(_("schoolnummer “%(value)s” is not a number") % {"value": number})
        number = ""
    else:
        # Excel drops leading zeros when it treats the column as numbers; compare on the number itself.
        number = str(int(number))
        if len(number) > School._meta.get_field("instellingsnummer").max_length:
            problem(_("schoolnummer %(value)s is too long") % {"value": number})

    values: dict = {field: row[column] for field, column in COPIED.items()}
    if not values["name"]:
        problem(_("naam is empty"))
    for field, column in COPIED.items():
        limit = School._meta.get_field(field).max_length
        if len(values[field]) > limit:
            problem(_("%(column)s is longer than %(limit)d characters") % {"column": column, "limit": limit})

    code = row["provinciecode"].upper()
    if code in PROVINCES:
        values["province"] = PROVINCES[code]
    else:
        problem(_("unknown provinciecode “%(value)s” (expected one of %(known)s)") % {
            "value": row["provinciecode"], "known": ", ".join(sorted(PROVINCES))})

    level = row["onderwijsniveau"].lower()
    if level in LEVELS:
        values["level"] = LEVELS[level]
    else:
        problem(_("unknown onderwijsniveau “%(value)s” (expected BaO or SO)") % {
            "value": row["onderwijsniveau"]})

    network = " ".join(row["net"].split()).lower()
    if network in NETWORKS:
        values["network"] = NETWORKS[network]
    else:
        problem(_("unknown net “%(value)s”") % {"value": row["net"]})

    values["special_needs"] = "buitengewoon" in values["institution_type"].lower()
    return number, values, errors


def _save(parsed: dict[str, dict], lop: Lop | None) -> ImportSummary:
    numbers = list(parsed)
    created, updated, unchanged = [], [], 0
    with transaction.atomic():
        existing, loaded = {}, ("instellingsnummer", *MAPPED_FIELDS)
        # Chunked so SQLite's limit on query parameters cannot bite with the full list of ~3,800 schools.
        for start in range(0, len(numbers), BATCH_SIZE):
            chunk = numbers[start : start + BATCH_SIZE]
            schools = School.objects.filter(instellingsnummer__in=chunk).only(*loaded)
            existing.update((school.instellingsnummer, school) for school in schools)
        for number, values in parsed.items():
            school = existing.get(number)
            if school is None:
                created.append(School(instellingsnummer=number, lop=lop, **values))
            elif all(getattr(school, field) == value for field, value in values.items()):
                unchanged += 1
            else:
                for field, value in values.items():
                    setattr(school, field, value)
                updated.append(school)
        School.objects.bulk_create(created, batch_size=BATCH_SIZE)
        School.objects.bulk_update(updated, fields=MAPPED_FIELDS, batch_size=BATCH_SIZE)
    return ImportSummary(created=len(created), updated=len(updated), unchanged=unchanged)
