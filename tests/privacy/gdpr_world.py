"""A family with every kind of personal data the portal keeps, for the GDPR tests."""
from datetime import date, datetime

from django.core.files.base import ContentFile
from django.utils import timezone

from households.models import (
    Guardian,
    Household,
    InternetCode,
    Pupil,
    Referral,
    SupportOrganisation,
    Survey,
    SurveyAnswer,
    SurveyInvite,
)
from lending.models import Agreement, Incident, Loan, Repair, ReturnReceipt, SigningLink, Transfer
from portal.audit import record
from portal.models import AuditEvent
from reminders.models import Reminder

from ..factories import DeviceFactory, GuardianFactory, HouseholdFactory, LoanFactory, PupilFactory, SchoolFactory


def at(year, month, day, hour=12):
    return timezone.make_aware(datetime(year, month, day, hour))


LONG_AGO = at(2024, 6, 1)
STARTED = at(2024, 9, 2)
RETURNED = at(2025, 3, 10, 14)       # the last loan ended; retention limit: 2026-03-10
LEFT_ON = date(2025, 2, 1)


def family(school, *, name="Janssens", active=False, open_loan=False, files=True, n=1):
    """A household whose pupil(s) left on LEFT_ON and whose last loan ended at RETURNED."""
    household = HouseholdFactory(school=school, name=name, internet_at_home=Household.Access.NONE)
    GuardianFactory(household=household, name=f"Mama {name}", email=f"mama.{name.lower()}@example.org",
                    phone="0470 12 34 56")
    pupils = []
    for i in range(n):
        pupil = PupilFactory(school=school, household=household, first_name=f"Lotte{i}", last_name=name,
                             class_name="6B", grade=6, active=active, left_on=None if active else LEFT_ON)
        loan = LoanFactory(device=DeviceFactory(school=school), pupil=pupil, started_at=STARTED,
                           note=f"Lotte{i} {name} lost the charger",
                           status=Loan.Status.ACTIVE if open_loan and i == 0 else Loan.Status.RETURNED,
                           returned_at=None if open_loan and i == 0 else RETURNED)
        agreement = Agreement.objects.create(
            loan=loan, text_version="t1", status=Agreement.Status.SIGNED, signed_method=Agreement.Method.ONLINE,
            signed_at=at(2024, 9, 3), signer_name=f"Mama {name}", signer_ip="192.0.2.7",
            signer_user_agent="Firefox", question=f"Is {name} covered?")
        if files:
            loan.return_photo.save("photo.jpg", ContentFile(b"jpeg"), save=True)
            for field in ("pdf", "signed_pdf", "paper_scan", "signature_image"):
                getattr(agreement, field).save(f"{field}.bin", ContentFile(b"%PDF"), save=False)
            agreement.save()
        incident = Incident.objects.create(device=loan.device, loan=loan, kind="damage",
                                           reported_at=at(2024, 11, 5), description=f"{name} dropped it")
        Repair.objects.create(device=loan.device, incident=incident, sent_at=at(2024, 11, 6),
                              returned_at=at(2024, 11, 20), note=f"screen replaced for {name}")
        SigningLink.objects.create(agreement=agreement, token_hash=f"{agreement.pk:064x}", channel="email",
                                   expires_at=at(2024, 10, 3), used_at=at(2024, 9, 3))
        if loan.status == Loan.Status.RETURNED:
            receipt = ReturnReceipt.objects.create(loan=loan, language="tr", channel="email", status="sent",
                                                   sent_at=RETURNED)
            if files:
                receipt.pdf.save("receipt.pdf", ContentFile(b"%PDF"), save=True)
            third = SchoolFactory(name=f"Nieuwe school {name} {i}")
            Transfer.objects.create(loan=loan, device=loan.device, from_school=school, to_school=third,
                                    note=f"for {name}")
        record(actor=None, action=AuditEvent.Action.ROSTER_IMPORTED, instance=pupil, school=school,
               before={"first_name": "Lot"}, after={"first_name": pupil.first_name})
        pupils.append(pupil)
    survey = Survey.objects.create(school=school, title="Survey 2024")
    invite = SurveyInvite.objects.create(survey=survey, household=household, token_hash=f"{household.pk:064d}",
                                         channel="email", expires_at=LONG_AGO)
    SurveyAnswer.objects.create(invite=invite, computer="no", internet="no", language="tr", answered_by="family",
                                method="online")
    organisation = SupportOrganisation.objects.get_or_create(municipality="Gent", name="Digipunt")[0]
    referral = Referral.objects.create(household=household, organisation=organisation, reason="first_use",
                                       note=f"{name} needs help at home")
    InternetCode.objects.create(school=school, provider="Telenet", code=f"CODE-{household.pk}",
                                valid_until=date(2025, 6, 30), household=household, issued_at=at(2024, 10, 1),
                                activated_at=at(2024, 10, 2))
    Reminder.objects.create(kind="overdue", subject_type="loan", subject_id=pupils[0].loans.get().pk, step=1,
                            school=school, household=household, channel="email", due_at=at(2024, 10, 1))
    # Rows made today pretend to be as old as the story they tell.
    Household.objects.filter(pk=household.pk).update(created_at=LONG_AGO, pointed_to_social_tariff_at=LONG_AGO)
    SurveyInvite.objects.filter(pk=invite.pk).update(created_at=LONG_AGO)
    Referral.objects.filter(pk=referral.pk).update(updated_at=LONG_AGO)
    household.refresh_from_db()
    return household


PERSONAL = ("Janssens", "Lotte", "example.org", "0470", "charger", "dropped", "needs help", "covered")


def has_personal_data(household: Household) -> bool:
    """True while any of the family's names, contact data or free texts is still stored."""
    pupils = Pupil.objects.filter(household=household)
    loans = Loan.objects.filter(pupil__in=pupils)
    texts = [household.name, *Guardian.objects.filter(household=household).values_list("name", "email", "phone")]
    texts += list(pupils.values_list("first_name", "last_name", "class_name"))
    texts += list(loans.values_list("note", flat=True))
    texts += list(Agreement.objects.filter(loan__in=loans).values_list("question", flat=True))
    texts += list(Incident.objects.filter(loan__in=loans).values_list("description", "repairs__note"))
    texts += list(Referral.objects.filter(household=household).values_list("note", flat=True))
    flat = repr(texts)
    return any(word in flat for word in PERSONAL)


