"""A roster file as pupil rows: read it, find its columns (a known export or the school's own mapping)."""
from dataclasses import dataclass

from django.utils.translation import gettext as _

from portal.csvfiles import ImportRejected, RowError, normalise_header
from portal.models import School

from . import roster, roster_presets
from .roster_file import read_table
from .roster_grades import highest_grade
from .roster_presets import GENERIC, PRESETS
from .roster_rows import RosterRow, check_rows


@dataclass(frozen=True)
class FileRoster:
    preset: str
    mapping: dict
    rows: list[RosterRow]
    skipped: int
    # Lines the reader could not split into the header's columns; reported with the rows' own problems.
    errors: list[RowError]

    def remembered(self) -> dict:
        """What the school keeps for its next import: the preset, and the columns chosen by hand."""
        if self.preset == GENERIC:
            return {"roster_preset": GENERIC, "roster_columns": self.mapping}
        return {"roster_preset": self.preset}


def mapping_for(*, preset: str, header: list[str], columns: dict | None, school: School) -> dict:
    if preset in PRESETS:
        mapping = roster_presets.preset_mapping(preset, header)
        for key, column in (columns or {}).items():  # what the user says over what the preset found
            key = roster_presets.OLD_KEYS.get(key, key)
            if column:
                mapping[key] = normalise_header(column)
            else:
                mapping.pop(key, None)
        return mapping
    if columns is None:
        return roster_presets.suggested_mapping(header, school.roster_columns)
    return roster_presets.clean_mapping(columns)


def read_roster(*, school: School, data: bytes, preset: str | None = None, columns: dict | None = None) -> FileRoster:
    """Rows of a roster file. Without ``preset`` the file's header decides; ``columns`` overrides or
    (for the generic preset) is the whole mapping. ImportRejected for an unusable file or missing columns."""
    table = read_table(data)
    preset = preset if preset in (GENERIC, *PRESETS) else roster_presets.detect(table.columns)
    mapping = mapping_for(preset=preset, header=table.columns, columns=columns, school=school)
    absent = list(dict.fromkeys(column for column in mapping.values() if column not in table.columns))
    if absent:
        raise ImportRejected([RowError(1, _("missing columns: %(missing)s (the header has: %(found)s)") % {
            "missing": ", ".join(absent), "found": ", ".join(table.columns)})])
    missing = roster_presets.missing_fields(mapping)
    if missing:
        labels = [str(roster_presets.GENERIC_LABELS[key]) for key in missing]
        raise ImportRejected([RowError(1, _("choose a column for: %(fields)s") % {"fields": ", ".join(labels)})])
    rows, skipped = roster_presets.rows_from_table(table, mapping, preset=preset)
    return FileRoster(preset=preset, mapping=mapping, rows=rows, skipped=skipped, errors=table.errors)


def file_rows(school: School, source: FileRoster) -> list[RosterRow]:
    """The rows, or ImportRejected listing the reader's problems together with every bad row's."""
    if source.errors:
        _pupils, errors = check_rows(source.rows, highest=highest_grade(school), class_grades=school.roster_class_grades,
                                     labels=source.mapping)
        raise ImportRejected([*source.errors, *errors])
    return source.rows


def plan_roster(*, school: School, data: bytes, columns: dict | None = None, preset: str | None = None,
                whole_school: bool | None = None) -> roster.RosterPlan:
    source = read_roster(school=school, data=data, preset=preset, columns=columns)
    return roster.plan_rows(school=school, rows=file_rows(school, source), whole_school=whole_school, skipped=source.skipped,
                            labels=source.mapping)


def import_roster(*, school: School, data: bytes, filename: str, columns: dict | None = None,
                  preset: str | None = None, **options) -> roster.RosterSummary:
    """Import a roster file; ``options`` as for roster.import_rows (leavers, expected plan, key, by)."""
    source = read_roster(school=school, data=data, preset=preset, columns=columns)
    return roster.import_rows(school=school, rows=file_rows(school, source), source=filename, skipped=source.skipped,
                              labels=source.mapping, remember=source.remembered(), **options)
