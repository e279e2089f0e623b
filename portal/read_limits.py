"""The bounds every uploaded table is read within, whatever the file claims about itself.

A file can claim a million rows, a sheet range to column XFD or a cell of megabytes, and a reader
that believes it ties up a web process for minutes. So the readers (portal/csvfiles.py,
households/roster_file.py) count what they actually read against these limits, and refuse the file
at the first one it passes, with a message that names the limit: rows, columns, characters in one
cell, filled cells in all, and seconds of work. Control characters (NUL and the like) are refused
with their line: PostgreSQL will not store a NUL, and the others are never meant to be in a name.
"""
import math
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .import_errors import ImportRejected, RowError

# C0 controls other than tab, line feed and carriage return; DEL; the C1 controls.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# A file full of NUL bytes would otherwise list a million lines; the first ones say enough.
MAX_LISTED_LINES = 20
TIME_CHECK_EVERY = 256  # rows between two looks at the clock


@dataclass(frozen=True)
class Limits:
    rows: int
    columns: int
    cell_chars: int
    cells: int
    seconds: float

    @classmethod
    def from_settings(cls, **overrides) -> "Limits":
        values = {"rows": settings.IMPORT_MAX_ROWS, "columns": settings.IMPORT_MAX_COLUMNS,
                  "cell_chars": settings.IMPORT_MAX_CELL_CHARS, "cells": settings.IMPORT_MAX_CELLS,
                  "seconds": settings.IMPORT_MAX_SECONDS}
        return cls(**{**values, **overrides})


def grouped(number: int) -> str:
    """20,000 in English, 20.000 in Dutch."""
    return number_format(number, force_grouping=True)


def refused(line: int, reason: str) -> ImportRejected:
    return ImportRejected([RowError(line, reason)])


class Reading:
    """What one read of one file has consumed so far, checked against its limits as it goes."""

    def __init__(self, limits: Limits | None = None):
        self.limits = limits or Limits.from_settings()
        # Seconds of work (this thread's CPU time), not of the wall clock: a machine busy with other
        # requests must not make an honest file fail, and the work a file can cost stays bounded.
        self.deadline = time.thread_time() + self.limits.seconds
        self.rows = 0
        self.cells = 0

    def check_time(self, line: int = 1) -> None:
        if time.thread_time() > self.deadline:
            raise refused(line, ngettext(
                "reading the file took longer than %(seconds)s second; split it into smaller files",
                "reading the file took longer than %(seconds)s seconds; split it into smaller files",
                math.ceil(self.limits.seconds)) % {"seconds": f"{self.limits.seconds:g}"})

    def columns(self, line: int, values) -> None:
        """Refuse a row with a value past the last column allowed (empty cells out there are Excel's habit)."""
        if len(values) > self.limits.columns and any(values[self.limits.columns:]):
            last = max(number for number, value in enumerate(values, start=1) if value)
            self.column(line, last)

    def column(self, line: int, number: int) -> None:
        """Refuse a value in column `number` (counted from 1) if it is past the limit."""
        if number > self.limits.columns:
            raise refused(line, _("has a value in column %(column)d; a file may have at most %(limit)d columns") % {
                "column": number, "limit": self.limits.columns})

    def row(self, line: int, values) -> None:
        """Count one data row (its values as text) against the limits."""
        self.rows += 1
        if self.rows > self.limits.rows:
            raise refused(line, _("the file has more than %(limit)s rows; split it into files of at most "
                                  "%(limit)s rows") % {"limit": grouped(self.limits.rows)})
        filled = 0
        for value in values:
            if value:
                filled += 1
                self.cell(line, value)
        self.cells += filled
        if self.cells > self.limits.cells:
            raise refused(line, _("the file has more than %(limit)s filled cells; leave out the columns you do "
                                  "not need or split the file") % {"limit": grouped(self.limits.cells)})
        if self.rows % TIME_CHECK_EVERY == 0:
            self.check_time(line)

    def cell(self, line: int, value: str) -> None:
        if len(value) > self.limits.cell_chars:
            raise refused(line, _("a cell holds %(length)d characters; the limit is %(limit)d") % {
                "length": len(value), "limit": self.limits.cell_chars})


def control_character_errors(lines_and_texts) -> list[RowError]:
    """A RowError for each (line, text) holding a control character; at most MAX_LISTED_LINES, then one
    line that says how many more there are."""
    errors, more = [], 0
    for line, text in lines_and_texts:
        match = CONTROL_CHARACTERS.search(text)
        if match is None:
            continue
        if len(errors) < MAX_LISTED_LINES:
            errors.append(RowError(line, control_character_reason(match.group())))
        else:
            more += 1
    if more:
        errors.append(RowError(errors[-1].line, ngettext(
            "and %(count)d more line with control characters", "and %(count)d more lines with control characters",
            more) % {"count": more}))
    return errors


def control_character_reason(character: str) -> str:
    return _("holds a control character (U+%(code)04X) that cannot be imported; remove it and save the file "
             "again") % {"code": ord(character)}


def text_control_character_errors(text: str) -> list[RowError]:
    """Control characters in a whole decoded text file, by the line they are on."""
    if CONTROL_CHARACTERS.search(text) is None:  # the usual case: one pass, no line splitting
        return []
    return control_character_errors(enumerate(text.split("\n"), start=1))


def strip_control_characters(value: str) -> str:
    """What a search box keeps of what was typed (or sent by a barcode scanner's prefix)."""
    return CONTROL_CHARACTERS.sub("", value)
