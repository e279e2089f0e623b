"""A school's current agreement terms, and the agreement a new pupil loan starts with."""
from django.db import IntegrityError, transaction
from django.utils import timezone

from portal.languages import household_language
from portal.school_rules import remembered, stamp_on_change

from .models import Agreement, AgreementTerms, Loan

# Bumped when the wording of the agreement template changes; stored on every agreement.
AGREEMENT_TEXT_VERSION = "2026-2"  # 2026-2: repairs, what a deposit covers, retention from the settings

stamp_on_change(AgreementTerms)  # every new version moves the school's rules stamp: current_terms keeps them


def current_terms(school) -> AgreementTerms:
    """The newest version, kept in memory under the school's rules stamp (every new version changes
    it: portal/school_rules.py), so a checkout reads no terms from the database."""
    return remembered(school, "terms", lambda: newest_terms(school))


def newest_terms(school) -> AgreementTerms:
    """The newest version from the database; a school that never edited its terms gets version 1
    with the defaults (no deposit, nothing to pay on damage, loans to the end of the school year)."""
    terms = AgreementTerms.objects.filter(school=school).order_by("-version").first()
    if terms is not None:
        return terms
    try:
        with transaction.atomic():
            return AgreementTerms.objects.create(school=school, version=1, return_policy=school.return_policy)
    except IntegrityError:  # another request created version 1 at the same moment
        return AgreementTerms.objects.get(school=school, version=1)


def agreement_open_for_loan(*, loan: Loan, terms: AgreementTerms | None = None) -> Agreement | None:
    """Every pupil loan gets an agreement in the household's language; staff loans need none. A
    pupil of 18 or older on the day of the loan signs it themselves."""
    if loan.pupil_id is None:
        return None
    terms = terms or current_terms(loan.device.school)
    pupil = loan.pupil
    household = pupil.household
    adult = pupil.is_adult(timezone.localtime(loan.started_at).date())
    return Agreement.objects.create(
        loan=loan,
        terms=terms,
        text_version=AGREEMENT_TEXT_VERSION,
        language=household_language(household),
        deposit=terms.deposit,
        signer=Agreement.Signer.PUPIL if adult else Agreement.Signer.GUARDIAN,
    )
