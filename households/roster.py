"""Import the pupil roster: plan every change, show it, then write exactly what was shown.

Rows come from a file (``roster_file`` reads it, ``roster_presets`` finds the columns) or from any other
source that produces ``RosterRow`` values, such as the school platform: ``plan_rows`` and ``import_rows``
are the entry points for both, so every source gets the same checks, preview and leaver confirmation.

All or nothing: any bad row rejects the whole import, listing every bad row with its number and reason.
Pupils are keyed on (school, internal_number), so a re-import updates them. Pupils missing from the
import are never deleted and never marked as left by surprise: only when the import holds the whole
school, and only after a confirmation that states their number (asked twice above a quarter of the
school). Siblings share a household: rows with the same household key, or (without one) rows that
share a guardian's e-mail address or phone number. Only a guardian's name, e-mail, phone and relation
are taken: no national register number, no address, no income.
"""
import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit import record
from portal.csvfiles import ImportRejected, RowError
from portal.models import AuditEvent, School

from .models import Guardian, Household, Pupil, RosterImport
from .roster_grades import highest_grade
from .roster_guardians import plan_guardians
from .roster_rows import CheckedPupil, RosterRow, check_rows, normalise_number

PUPIL_FIELDS = ["first_name", "last_name", "class_name", "grade", "household_id", "active", "left_on", "date_of_birth"]
GUARDIAN_FIELDS = ["name", "email", "phone", "relation", "smartschool_coaccount"]
# Above this share of the school's pupils, marking them as left is confirmed a second time.
MANY_LEAVERS_SHARE = 0.25


class LeaversNotConfirmed(Exception):
    """The leavers were not confirmed as the rules ask; the message says what to do."""


class ManyLeavers(LeaversNotConfirmed):
    """More than a quarter of the school would be marked as left: confirmed a second time, the number typed."""


class PlanChanged(Exception):
    """The pupils changed between the preview and the confirmation: what was shown is not what would be written."""


@dataclass(frozen=True)
class RosterSummary:
    created: int
    updated: int
    unchanged: int
    deactivated: int
    households_created: int = 0
    guardians_created: int = 0
    repeated: bool = False

    def __str__(self) -> str:
        # Counts as "label: number", so one message serves 1 and many without plural forms.
        return _("pupils created: %(created)d, updated: %(updated)d, unchanged: %(unchanged)d, "
                 "marked as left: %(deactivated)d") % {
            "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
            "deactivated": self.deactivated}

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in ("created", "updated", "unchanged", "deactivated",
                                                        "households_created", "guardians_created")}


@dataclass(frozen=True)
class RosterScope:
    """Whether an import holds the whole school: only then are pupils missing from it proposed as leavers."""

    whole: bool
    detected_whole: bool
    in_import: int
    at_school: int
    missing_grades: tuple[int, ...]

    @property
    def reason(self) -> str:
        if self.at_school == 0:
            return _("The school has no pupils yet: this is the first pupil list.")
        if self.missing_grades:
            return _("The list has no pupils in grade %(grades)s, which the school has now.") % {
                "grades": ", ".join(str(grade) for grade in self.missing_grades)}
        if not self.detected_whole:
            return _("The list holds %(in_import)d pupils; the school has %(at_school)d now.") % {
                "in_import": self.in_import, "at_school": self.at_school}
        return _("The list holds pupils of every grade the school has: %(in_import)d pupils, the school has "
                 "%(at_school)d now.") % {"in_import": self.in_import, "at_school": self.at_school}


def roster_scope(*, pupils: list[CheckedPupil], active: list[Pupil], whole_school: bool | None) -> RosterScope:
    """A whole school has every grade the school has now and at least half as many pupils; anything less
    is part of the school (one class, one grade, a file cut short) unless the user says otherwise."""
    missing = tuple(sorted({p.grade for p in active} - {p.grade for p in pupils}))
    detected = not missing and 2 * len(pupils) >= len(active)
    return RosterScope(whole=detected if whole_school is None else whole_school, detected_whole=detected,
                       in_import=len(pupils), at_school=len(active), missing_grades=missing)


@dataclass
class RosterPlan:
    summary: RosterSummary
    scope: RosterScope
    # Active pupils missing from the import: proposed as leavers for a whole school, else left alone.
    not_in_import: list[Pupil] = field(default_factory=list)
    new_households: list[Household] = field(default_factory=list)
    changed_households: list[Household] = field(default_factory=list)
    new_pupils: list[Pupil] = field(default_factory=list)
    changed_pupils: list[Pupil] = field(default_factory=list)
    new_guardians: list[Guardian] = field(default_factory=list)
    changed_guardians: list[Guardian] = field(default_factory=list)
    # Pupil id -> [(field, before, after)], for the preview.
    changes: dict = field(default_factory=dict)
    skipped: int = 0

    @property
    def leavers(self) -> list[Pupil]:
        return self.not_in_import if self.scope.whole else []

    @property
    def needs_second_confirmation(self) -> bool:
        return len(self.leavers) > MANY_LEAVERS_SHARE * self.scope.at_school

    def fingerprint(self) -> str:
        """Names exactly what would be written, so a confirmation writes what its preview showed."""
        ref = {id(h): f"new{n}" for n, h in enumerate(self.new_households)}

        def household(obj):
            return ref.get(id(obj.household), obj.household.pk)

        content = {
            "scope": self.scope.whole,
            "new_pupils": [[p.internal_number, p.first_name, p.last_name, p.class_name, p.grade, household(p)]
                           for p in self.new_pupils],
            "changed_pupils": [[p.pk, p.first_name, p.last_name, p.class_name, p.grade, household(p)]
                               for p in self.changed_pupils],
            "leavers": sorted(p.pk for p in self.leavers),
            "households": [[h.pk, h.preferred_language] for h in self.changed_households] + [
                [ref[id(h)], h.name, h.preferred_language] for h in self.new_households],
            "guardians": [[household(g), g.pk, g.name, g.email, g.phone, g.relation, g.smartschool_coaccount]
                          for g in (*self.new_guardians, *self.changed_guardians)],
        }
        return hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()


def check(*, school: School, rows: list[RosterRow], labels: dict | None = None) -> list[CheckedPupil]:
    pupils, errors = check_rows(rows, highest=highest_grade(school), class_grades=school.roster_class_grades,
                                labels=labels)
    if errors:
        raise ImportRejected(errors)
    if not pupils:
        raise ImportRejected([RowError(1, _("there are no pupils in this list"))])
    return pupils


def plan_rows(*, school: School, rows: list[RosterRow], whole_school: bool | None = None, skipped: int = 0,
              labels: dict | None = None) -> RosterPlan:
    """Check the rows and work out every change, without writing; ImportRejected lists every bad row."""
    pupils = check(school=school, rows=rows, labels=labels)
    # Compared as the import's numbers are, so a number typed as "0500" elsewhere still matches 500.
    existing = {normalise_number(p.internal_number): p for p in Pupil.objects.filter(school=school).only(
        "id", "school", "internal_number", "first_name", "last_name", "class_name", "grade", "household", "active",
        "left_on", "anonymised_at", "date_of_birth").order_by("pk")}
    active = [p for p in existing.values() if p.active]
    scope = roster_scope(pupils=pupils, active=active, whole_school=whole_school)
    plan = RosterPlan(summary=None, scope=scope, skipped=skipped)
    household_of = _plan_households(plan, school, pupils, existing)
    plan.new_guardians, plan.changed_guardians = plan_guardians(pupils, household_of, existing)
    created = updated = unchanged = 0
    for row in pupils:
        household = household_of[row.number]
        values = {"first_name": row.first_name, "last_name": row.last_name, "class_name": row.class_name,
                  "grade": row.grade, "active": True, "left_on": None}
        if row.date_of_birth is not None:  # a file without the column keeps the dates the school has
            values["date_of_birth"] = row.date_of_birth
        pupil = existing.get(row.number)
        if pupil is None:
            plan.new_pupils.append(Pupil(school=school, internal_number=row.number, household=household, **values))
            created += 1
        elif household.pk is not None and household.pk == pupil.household_id and all(
                getattr(pupil, name) == new for name, new in values.items()):
            unchanged += 1
        else:
            plan.changes[pupil.pk] = [(name, getattr(pupil, name), new) for name, new in values.items()
                                      if getattr(pupil, name) != new]
            if household.pk is None or household.pk != pupil.household_id:
                plan.changes[pupil.pk].append(("household", pupil.household_id, household.pk))
            for name, new in values.items():
                setattr(pupil, name, new)
            pupil.household = household
            plan.changed_pupils.append(pupil)
            updated += 1
    in_import = {row.number for row in pupils}
    plan.not_in_import = sorted((p for number, p in existing.items() if p.active and number not in in_import),
                                key=lambda p: (p.class_name, p.last_name, p.first_name, p.pk))
    plan.summary = RosterSummary(created=created, updated=updated, unchanged=unchanged,
                                 deactivated=len(plan.leavers), households_created=len(plan.new_households),
                                 guardians_created=len(plan.new_guardians))
    return plan


def _families(pupils: list[CheckedPupil]) -> list[list[CheckedPupil]]:
    """Siblings: the same household key; without one, a shared guardian e-mail address or phone number."""
    parent = list(range(len(pupils)))

    def root(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_with: dict[tuple, int] = {}
    for index, pupil in enumerate(pupils):
        if pupil.household_key:
            keys = [("key", pupil.household_key.casefold())]
        else:
            keys = [("email", g.email) for g in pupil.guardians if g.email] + [
                ("phone", g.phone) for g in pupil.guardians if g.phone]
        for key in keys:
            if key in first_with:
                parent[root(index)] = root(first_with[key])
            else:
                first_with[key] = index
    families: dict[int, list[CheckedPupil]] = {}
    for index, pupil in enumerate(pupils):
        families.setdefault(root(index), []).append(pupil)
    return list(families.values())


def _plan_households(plan: RosterPlan, school: School, pupils: list[CheckedPupil], existing: dict) -> dict:
    households = {h.pk: h for h in Household.objects.filter(school=school).only("id", "school_id", "name",
                                                                                 "preferred_language")}
    # One household per family: the one most of its known pupils are in, unless another family of this
    # import took it first; else a new one.
    claimed: set[int] = set()
    household_of: dict[str, Household] = {}
    for members in _families(pupils):
        known = [existing[p.number].household_id for p in members
                 if p.number in existing and existing[p.number].household_id in households]
        candidates = [pk for pk, _count in Counter(known).most_common() if pk not in claimed]
        household = households[candidates[0]] if candidates else None
        if household is None:
            household = Household(school=school, name=members[0].last_name)
            plan.new_households.append(household)
        else:
            claimed.add(household.pk)
        language = next((p.language for p in members if p.language), "")
        if language and household.preferred_language != language:
            household.preferred_language = language
            if household.pk and household not in plan.changed_households:
                plan.changed_households.append(household)
        for pupil in members:
            household_of[pupil.number] = household
    return household_of


# --- writing -------------------------------------------------------------------------------------


def _confirm_leavers(plan: RosterPlan, leavers_confirmed: int | None, many_leavers_confirmed: bool) -> list[int]:
    """The ids to mark as left: none unless the confirmation states exactly the number the plan holds."""
    if leavers_confirmed is None:
        return []
    if not plan.scope.whole:
        raise LeaversNotConfirmed(_("This list is part of the school: nobody is marked as left."))
    if leavers_confirmed != len(plan.leavers):
        raise PlanChanged(_("You confirmed %(confirmed)d leavers, but the list now has %(count)d. Check it again.")
                          % {"confirmed": leavers_confirmed, "count": len(plan.leavers)})
    if plan.needs_second_confirmation and not many_leavers_confirmed:
        raise ManyLeavers(_("%(count)d of %(total)d pupils would be marked as left: more than a quarter of "
                                    "the school. Confirm it a second time.") % {
            "count": len(plan.leavers), "total": plan.scope.at_school})
    return [p.pk for p in plan.leavers]


def check_confirmation(*, school: School, rows: list[RosterRow], whole_school: bool | None = None,
                       leavers_confirmed: int | None = None, many_leavers_confirmed: bool = False,
                       expected: str | None = None, skipped: int = 0, labels: dict | None = None) -> None:
    """Raise what import_rows would refuse for this confirmation, writing nothing: a page that hands a
    large list to a worker asks the coordinator now, not after the job failed."""
    plan = plan_rows(school=school, rows=rows, whole_school=whole_school, skipped=skipped, labels=labels)
    if expected is not None and plan.fingerprint() != expected:
        raise PlanChanged(_("The pupils changed since the check; nothing was imported. Check the list again."))
    _confirm_leavers(plan, leavers_confirmed, many_leavers_confirmed)


def import_rows(*, school: School, rows: list[RosterRow], source: str, by=None, whole_school: bool | None = None,
                leavers_confirmed: int | None = None, many_leavers_confirmed: bool = False,
                expected: str | None = None, key: str | None = None, skipped: int = 0, labels: dict | None = None,
                remember: dict | None = None) -> RosterSummary:
    """Write the roster, all or nothing; pupils missing from it are marked as left only as confirmed.

    ``expected`` is the fingerprint of the plan the user saw (PlanChanged when the plan differs now);
    ``key`` names this import, so a second submit of the same confirmation writes nothing and returns the
    first one's summary; ``remember`` holds the school's roster settings to keep for the next import.
    """
    with transaction.atomic():
        # One import per school at a time; a second waits here and then sees the first one's pupils.
        School.objects.select_for_update().filter(pk=school.pk).values_list("pk", flat=True).get()
        if key:
            done = RosterImport.objects.filter(school=school, key=key).first()
            if done is not None:
                return RosterSummary(**done.summary, repeated=True)
        plan = plan_rows(school=school, rows=rows, whole_school=whole_school, skipped=skipped, labels=labels)
        if expected is not None and plan.fingerprint() != expected:
            raise PlanChanged(_("The pupils changed since the check; nothing was imported. Check the list again."))
        leaver_ids = _confirm_leavers(plan, leavers_confirmed, many_leavers_confirmed)
        _write(plan, leaver_ids)
        before = {name: getattr(school, name) for name in sorted(remember or {})}
        for name, value in (remember or {}).items():
            setattr(school, name, value)
        if remember:
            school.save(update_fields=sorted(remember))
        summary = RosterSummary(**{**plan.summary.as_dict(), "deactivated": len(leaver_ids)})
        RosterImport.objects.create(school=school, key=key or "", source=source[:200], by=_actor(by),
                                    summary=summary.as_dict())
        # Counts only: names of children never go into the audit trail.
        record(actor=by, action=AuditEvent.Action.ROSTER_IMPORTED, instance=school, school=school, before=before,
               after={"source": source[:200], **{k: v for k, v in (remember or {}).items()}, **summary.as_dict(),
                      "whole_school": plan.scope.whole, "not_in_import": len(plan.not_in_import)})
    return summary


def _actor(by):
    return by if by is not None and by.is_authenticated else None


def _write(plan: RosterPlan, leaver_ids: list[int]) -> None:
    Household.objects.bulk_create(plan.new_households)
    for pupil in (*plan.new_pupils, *plan.changed_pupils):
        pupil.household_id = pupil.household.pk
    for guardian in plan.new_guardians:
        guardian.household_id = guardian.household.pk
    Pupil.objects.bulk_create(plan.new_pupils)
    if plan.changed_pupils:
        Pupil.objects.bulk_update(plan.changed_pupils, fields=PUPIL_FIELDS)
    if leaver_ids:
        Pupil.objects.filter(pk__in=leaver_ids).update(active=False, left_on=timezone.localdate())
    if plan.changed_households:
        Household.objects.bulk_update(plan.changed_households, fields=["preferred_language"])
    Guardian.objects.bulk_create(plan.new_guardians)
    if plan.changed_guardians:
        Guardian.objects.bulk_update(plan.changed_guardians, fields=GUARDIAN_FIELDS)
