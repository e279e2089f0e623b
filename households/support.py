"""Writes on households and guardians, the social tariff, local support organisations and referrals."""
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from portal import audit
from portal.models import AuditEvent

from .models import Guardian, Household, Referral, SupportOrganisation

HOUSEHOLD_FIELDS = ["name", "preferred_language", "contact_channel", "device_at_home", "internet_at_home"]
GUARDIAN_FIELDS = ["name", "relation", "email", "phone", "smartschool_coaccount"]
ORGANISATION_FIELDS = ["name", "kind", "municipality", "address", "phone", "email", "website", "helps_with",
                       "active"]


def _apply(instance, data: dict, fields: list[str]) -> list[str]:
    changed = [field for field in fields if field in data and getattr(instance, field) != data[field]]
    for field in changed:
        setattr(instance, field, data[field])
    return changed


def household_update(*, household: Household, data: dict, by) -> Household:
    with transaction.atomic():
        before = audit.snapshot(household, fields=HOUSEHOLD_FIELDS)
        changed = _apply(household, data, HOUSEHOLD_FIELDS)
        if changed:
            household.save(update_fields=changed)
            audit.record(actor=by, action=AuditEvent.Action.HOUSEHOLD_UPDATED, instance=household, school=household.school,
                         before=before, after=audit.snapshot(household, fields=HOUSEHOLD_FIELDS))
    return household


def guardian_save(*, household: Household, guardian: Guardian | None, data: dict, by) -> Guardian:
    with transaction.atomic():
        if guardian is None:
            guardian = Guardian.objects.create(household=household, **{f: data[f] for f in GUARDIAN_FIELDS})
            audit.record(actor=by, action=AuditEvent.Action.GUARDIAN_CREATED, instance=guardian, school=household.school,
                         after=audit.snapshot(guardian, fields=GUARDIAN_FIELDS))
            return guardian
        before = audit.snapshot(guardian, fields=GUARDIAN_FIELDS)
        changed = _apply(guardian, data, GUARDIAN_FIELDS)
        if changed:
            guardian.save(update_fields=changed)
            audit.record(actor=by, action=AuditEvent.Action.GUARDIAN_UPDATED, instance=guardian, school=household.school,
                         before=before, after=audit.snapshot(guardian, fields=GUARDIAN_FIELDS))
    return guardian


def household_point_to_social_tariff(*, household: Household, by) -> Household:
    with transaction.atomic():
        before = audit.snapshot(household, fields=["pointed_to_social_tariff_at"])
        household.pointed_to_social_tariff_at = timezone.now()
        household.save(update_fields=["pointed_to_social_tariff_at"])
        audit.record(actor=by, action=AuditEvent.Action.HOUSEHOLD_POINTED_TO_SOCIAL_TARIFF, instance=household,
                     school=household.school, before=before,
                     after=audit.snapshot(household, fields=["pointed_to_social_tariff_at"]))
    return household


# --- organisations ----------------------------------------------------------------------------------

def organisations_for_school(school):
    """Active organisations of the school's LOP or municipality."""
    where = Q(municipality__iexact=school.municipality) if school.municipality else Q(pk__in=[])
    if school.lop_id:
        where |= Q(lop_id=school.lop_id)
    return SupportOrganisation.objects.filter(where, active=True).order_by("municipality", "name")


def organisation_save(*, organisation: SupportOrganisation | None, lop, data: dict, by) -> SupportOrganisation:
    with transaction.atomic():
        if organisation is None:
            organisation = SupportOrganisation.objects.create(lop=lop, **{f: data[f] for f in ORGANISATION_FIELDS})
            audit.record(actor=by, action=AuditEvent.Action.SUPPORT_ORGANISATION_CREATED, instance=organisation,
                         after=audit.snapshot(organisation, fields=ORGANISATION_FIELDS))
            return organisation
        before = audit.snapshot(organisation, fields=ORGANISATION_FIELDS)
        changed = _apply(organisation, data, ORGANISATION_FIELDS)
        if changed:
            organisation.save(update_fields=changed)
            audit.record(actor=by, action=AuditEvent.Action.SUPPORT_ORGANISATION_UPDATED, instance=organisation,
                         before=before, after=audit.snapshot(organisation, fields=ORGANISATION_FIELDS))
    return organisation


# --- referrals --------------------------------------------------------------------------------------

def referral_create(*, household: Household, data: dict, by) -> Referral:
    with transaction.atomic():
        referral = Referral.objects.create(household=household, organisation=data["organisation"],
                                           reason=data["reason"], note=data.get("note", ""), created_by=by)
        audit.record(actor=by, action=AuditEvent.Action.REFERRAL_CREATED, instance=referral, school=household.school,
                     after=audit.snapshot(referral, fields=["organisation", "reason", "status"]))
    return referral


def referral_update(*, referral: Referral, data: dict, by) -> Referral:
    with transaction.atomic():
        before = audit.snapshot(referral, fields=["status", "note"])
        changed = _apply(referral, data, ["status", "note"])
        if "status" in changed:
            referral.closed_at = timezone.now() if referral.status == Referral.Status.DONE else None
            changed.append("closed_at")
        if changed:
            referral.save(update_fields=[*changed, "updated_at"])
            audit.record(actor=by, action=AuditEvent.Action.REFERRAL_UPDATED, instance=referral, school=referral.household.school,
                         before=before, after=audit.snapshot(referral, fields=["status", "note"]))
    return referral
