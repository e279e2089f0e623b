"""Pupils by hand: add one pupil, and mark what a pupil needs, with who did it and when.

The hand-out queue (lending/views_desk.py) lists active pupils that need a device, so a pupil marked
here is in the queue at once, without a survey.
"""
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit import record, snapshot
from portal.models import AuditEvent, School

from .models import Guardian, Household, Pupil
from .roster_rows import normalise_number, normalise_phone

NEEDS_FIELDS = ["needs_device", "needs_internet", "needs_marked_by", "needs_marked_at"]


def pupil_create(*, school: School, by, internal_number: str, first_name: str, last_name: str, class_name: str,
                 grade: int, sibling: Pupil | None = None, guardian_name: str = "", guardian_email: str = "",
                 guardian_phone: str = "", language: str = "", needs_device: bool = False,
                 needs_internet: bool = False) -> Pupil:
    """A new pupil in a new family, or in a brother's or sister's family; ValidationError when the
    school has this pupil number already (a second click on "add" included)."""
    number = normalise_number(internal_number)
    marked = needs_device or needs_internet
    try:
        with transaction.atomic():
            if sibling is not None and sibling.household_id:
                household = sibling.household
            else:
                household = Household.objects.create(school=school, name=last_name,
                                                     **({"preferred_language": language} if language else {}))
            pupil = Pupil.objects.create(
                school=school, household=household, internal_number=number, first_name=first_name,
                last_name=last_name, class_name=class_name, grade=grade, needs_device=needs_device,
                needs_internet=needs_internet, needs_marked_by=by if marked else None,
                needs_marked_at=timezone.now() if marked else None)
            if guardian_name or guardian_email or guardian_phone:
                Guardian.objects.create(household=household, name=guardian_name or guardian_email or guardian_phone,
                                        email=guardian_email.lower(), phone=normalise_phone(guardian_phone))
            # No names in the trail: the pupil's id says who it is.
            record(actor=by, action=AuditEvent.Action.PUPIL_CREATED, instance=pupil, school=school,
                   after=snapshot(pupil, ["grade", "class_name", "household", "needs_device", "needs_internet"]))
    except IntegrityError:
        raise ValidationError(_("This school has a pupil with number %(number)s already.") % {"number": number},
                              code="duplicate") from None
    return pupil


def pupil_needs_mark(*, pupil: Pupil, needs_device: bool, needs_internet: bool, by) -> Pupil:
    """Mark by hand that a pupil needs a device or internet (or no longer does); who and when are kept."""
    with transaction.atomic():
        pupil = Pupil.objects.select_for_update().select_related("school").get(pk=pupil.pk)
        if (pupil.needs_device, pupil.needs_internet) == (needs_device, needs_internet):
            return pupil  # a second click changes nothing and records nothing
        before = snapshot(pupil, NEEDS_FIELDS)
        pupil.needs_device, pupil.needs_internet = needs_device, needs_internet
        pupil.needs_marked_by, pupil.needs_marked_at = by, timezone.now()
        pupil.save(update_fields=NEEDS_FIELDS)
        record(actor=by, action=AuditEvent.Action.PUPIL_NEEDS_MARKED, instance=pupil, school=pupil.school,
               before=before, after=snapshot(pupil, NEEDS_FIELDS))
    return pupil
