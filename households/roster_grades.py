"""Which grade (leerjaar) a pupil is in, when the roster has no grade column.

Flemish schools name classes freely, but the usual names start with the grade: "5A", "6 LAT",
"1STEM-B", "3ECWI", and primary schools often write "L5A" (lager, 5th year). Whatever no rule can
read ("OKAN", "K3" for a nursery class, "B1") the school maps once, by hand, in its class map.
"""
import re

from django.db import transaction

from portal.audit import record
from portal.models import AuditEvent, EducationLevel, School

# An optional "L"/"LJ" (lager / leerjaar) before the grade, and no second digit after it: "12A" is no grade.
USUAL_CLASS_NAME = re.compile(r"^\s*(?:lj|l)?\s*([1-7])(?!\d)", re.IGNORECASE)


def highest_grade(school: School) -> int:
    return 6 if school.level == EducationLevel.PRIMARY else 7


def class_key(class_name: str) -> str:
    """How the class map compares class names: case and spacing do not matter."""
    return " ".join(class_name.split()).casefold()


def grade_from_class(class_name: str, highest: int, class_grades: dict | None = None) -> int | None:
    """The school's own class map first, then the usual naming; None when neither knows the class."""
    mapped = (class_grades or {}).get(class_key(class_name))
    if mapped is not None:
        return int(mapped)
    match = USUAL_CLASS_NAME.match(class_name)
    if match and 1 <= int(match.group(1)) <= highest:
        return int(match.group(1))
    return None


def clean_class_grades(class_grades: dict, highest: int) -> dict[str, int]:
    """Keep only classes with a grade the school can have, keyed the way lookups compare them."""
    cleaned = {}
    for class_name, grade in class_grades.items():
        try:
            grade = int(grade)
        except (TypeError, ValueError):
            continue
        if class_key(class_name) and 1 <= grade <= highest:
            cleaned[class_key(class_name)] = grade
    return cleaned


def class_map_update(*, school: School, grades: dict, by) -> dict[str, int]:
    """Add or change classes in the school's class map; returns the whole map."""
    highest = highest_grade(school)
    with transaction.atomic():
        school = School.objects.select_for_update().get(pk=school.pk)
        before = dict(school.roster_class_grades)
        school.roster_class_grades = {**clean_class_grades(before, highest), **clean_class_grades(grades, highest)}
        if school.roster_class_grades != before:
            school.save(update_fields=["roster_class_grades"])
            record(actor=by, action=AuditEvent.Action.CLASS_MAP_CHANGED, instance=school, school=school,
                   before={"roster_class_grades": before}, after={"roster_class_grades": school.roster_class_grades})
    return school.roster_class_grades
