"""A roster's guardians: who is new, who changed, and which Smartschool co-account reaches whom.

A guardian given again is found by e-mail address, phone number or (with neither) name, within the
pupil's household, and updated; one not found is added. Only a guardian's name, e-mail, phone, relation
and co-account number are taken.
"""
from .models import Guardian
from .roster_rows import CheckedPupil, normalise_phone


def _first_pupils(pupils: list[CheckedPupil], household_of: dict, existing: dict) -> dict[int, str]:
    """Per household, the pupil whose Smartschool account its messages go through (portal/messages.py takes
    the first active pupil by id: pupils already known before new ones, new ones in the order written)."""
    first: dict[int, str] = {}
    order = sorted(range(len(pupils)), key=lambda index: (
        (0, existing[pupils[index].number].pk) if pupils[index].number in existing else (1, index)))
    for index in order:
        first.setdefault(id(household_of[pupils[index].number]), pupils[index].number)
    return first


def _take_coaccount(changed: list[Guardian], guardians: list[Guardian], guardian: Guardian, number: int | None) -> None:
    """Give ``guardian`` the co-account ``number``; one co-account reaches one person, so whoever had it loses it."""
    if number is None or guardian.smartschool_coaccount == number:
        return
    guardian.smartschool_coaccount = number
    for other in guardians:
        if other is not guardian and other.smartschool_coaccount == number:
            other.smartschool_coaccount = None
            if other.pk and other not in changed:
                changed.append(other)


def plan_guardians(pupils: list[CheckedPupil], household_of: dict, existing: dict) -> tuple[list, list]:
    """The guardians to add and the ones that change, for the households ``household_of`` gives each pupil
    (``existing``: the school's pupils by number)."""
    new: list[Guardian] = []
    changed: list[Guardian] = []
    if not any(p.guardians for p in pupils):
        return new, changed
    in_database: dict[int, list[Guardian]] = {}
    household_ids = {h.pk for h in household_of.values() if h.pk}
    for guardian in Guardian.objects.filter(household_id__in=household_ids).order_by("pk"):
        in_database.setdefault(guardian.household_id, []).append(guardian)
    first_pupil = _first_pupils(pupils, household_of, existing)
    # Keyed by the Python object: new households have no primary key yet.
    per_household: dict[int, list[Guardian]] = {}
    for pupil in pupils:
        household = household_of[pupil.number]
        guardians = per_household.setdefault(id(household), in_database.get(household.pk, []) if household.pk else [])
        # A co-account number is a slot on one pupil's account: only the slots of the pupil messages go through.
        slots_count = first_pupil[id(household)] == pupil.number
        for given in pupil.guardians:
            name, email, phone, relation = given.name, given.email, given.phone, given.relation
            coaccount = given.coaccount if slots_count else None
            match = next((g for g in guardians if (email and g.email.lower() == email)
                          or (phone and normalise_phone(g.phone) == phone)
                          or (not email and not phone and name and g.name.lower() == name.lower())), None)
            if match is None:
                guardian = Guardian(household=household, name=name or email or phone, email=email, phone=phone,
                                    relation=relation or Guardian.Relation.GUARDIAN)
                _take_coaccount(changed, guardians, guardian, coaccount)
                guardians.append(guardian)
                new.append(guardian)
            elif any((name and match.name != name, email and match.email != email, phone and match.phone != phone,
                      relation and match.relation != relation,
                      coaccount and match.smartschool_coaccount != coaccount)):
                match.name, match.email, match.phone = name or match.name, email or match.email, phone or match.phone
                match.relation = relation or match.relation
                _take_coaccount(changed, guardians, match, coaccount)
                if match.pk and match not in changed:
                    changed.append(match)
    return new, changed
