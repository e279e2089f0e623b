"""The access rule, over every URL the portal has.

URLs are discovered from the URL configuration, so a new page is covered the day it is added:
a page with an id in its path must be registered in OBJECT_KWARGS, or this test fails.
"""
import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from households.models import InternetCode
from lending.models import AgreementTerms, Incident, Repair
from portal.models import Invitation, Job, Role

from .factories import AgreementFactory, GuardianFactory, LoanFactory, StaffMemberFactory, UserFactory

pytestmark = pytest.mark.django_db

# Pages anyone may open without logging in.
PUBLIC = {
    "login", "logout", "password_reset", "password_reset_done", "password_reset_confirm",
    "password_reset_complete", "set_language", "healthz", "favicon",
    # Providers post delivery news here: no login, a signature or basic auth instead, tested in
    # tests/portal/test_sms_providers.py and test_email_bounces.py.
    "sms_status", "email_tracking_brevo", "email_tracking_mailjet",
    # Logging in with Microsoft or Google (allauth, OpenID Connect); tests/test_school_login.py.
    "openid_connect_login", "openid_connect_callback", "school_login_callback", "socialaccount_login_cancelled",
    "socialaccount_login_error",
    # Taking an invitation: the token in the link is the key; tests/portal/test_invitations.py.
    "invitation_open", "invitation_accept",
}
# Parents' pages that open with a token in the link are named public_*; their token rules have tests of their own.
PUBLIC_PREFIX = "public_"
# The Django admin has its own gate (is_staff); tested separately below.
ADMIN_NAMESPACE = "admin"


def _walk(patterns, prefix="", namespace=None):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield namespace, entry.name, prefix + str(entry.pattern), entry.pattern.converters


def portal_urls():
    return [
        (name, route, converters)
        for namespace, name, route, converters in _walk(get_resolver().url_patterns)
        if namespace != ADMIN_NAMESPACE and name not in PUBLIC and not (name or "").startswith(PUBLIC_PREFIX)
    ]


@pytest.fixture
def world_b(school_b, lop_b):
    """Everything school B and LOP B own, one of each."""
    agreement = AgreementFactory(loan=LoanFactory(device__school=school_b))
    loan = agreement.loan
    return {
        "school_id": school_b.pk,
        "lop_id": lop_b.pk,
        "device_id": loan.device.pk,
        "loan_id": loan.pk,
        "agreement_id": agreement.pk,
        "pupil_id": loan.pupil.pk,
        "household_id": loan.pupil.household.pk,
        "guardian_id": GuardianFactory(household=loan.pupil.household).pk,
        "staff_member_id": StaffMemberFactory(school=school_b).pk,
        "incident_id": Incident.objects.create(device=loan.device, loan=loan, kind="damage").pk,
        "repair_id": Repair.objects.create(device=loan.device).pk,
        "terms_id": AgreementTerms.objects.create(school=school_b, version=1).pk,
        "code_id": InternetCode.objects.create(school=school_b, provider="Telenet", code="B-SECRET",
                                              valid_until="2027-06-30").pk,
        **_family_ids(school_b, loan.pupil.household),
        **_year_ids(school_b, loan),
        **_people_ids(school_b),
    }


def _year_ids(school, loan):
    """A stocktake of `school` and a hand-over of one of its loans to a third school (lending/models/year.py)."""
    from lending.models import Stocktake, Transfer
    from portal.models import SchoolClosure

    from .factories import SchoolFactory

    third = SchoolFactory(name=f"Derde school {school.pk}")
    closed = LoanFactory(device__school=school, status="transferred", returned_at="2026-01-01T00:00:00Z")
    return {"stocktake_id": Stocktake.objects.create(school=school).pk,
            "transfer_id": Transfer.objects.create(loan=closed, device=closed.device, from_school=school,
                                                   to_school=third).pk,
            "closure_id": SchoolClosure.objects.create(school=school, starts_on="2026-12-21", ends_on="2026-12-21",
                                                       name="Studiedag").pk}


def _people_ids(school):
    """A role and an open invitation at `school` (portal/models/people.py)."""
    role = Role.objects.create(user=UserFactory(), kind=Role.Kind.COORDINATOR, school=school)
    invitation = Invitation.objects.create(email=f"new@{school.pk}.test", kind=Role.Kind.COORDINATOR, school=school)
    return {"role_id": role.pk, "invitation_id": invitation.pk}


def _family_ids(school, household):
    """A survey, an invitation and a referral of `school` (households/models.py)."""
    from households.models import Referral, SupportOrganisation, Survey, SurveyInvite

    survey = Survey.objects.create(school=school, title="Survey", grades=[5])
    invite = SurveyInvite.objects.create(survey=survey, household=household, token_hash=f"{school.pk:064d}",
                                         channel="paper", expires_at="2030-01-01T00:00:00Z")
    organisation = SupportOrganisation.objects.create(lop=school.lop, municipality="Gent", name="Buurtcentrum")
    referral = Referral.objects.create(household=household, organisation=organisation, reason="first_use")
    job = Job.objects.create(school=school, kind=Job.Kind.LABELS, token=f"{school.pk:032d}", task_name="t",
                             expires_at="2030-01-01T00:00:00Z", status=Job.Status.DONE)
    return {"survey_id": survey.pk, "invite_id": invite.pk, "referral_id": referral.pk, "job_id": job.pk}


def _fill(route, converters, ids):
    url = "/" + route
    for kwarg, converter in converters.items():
        assert kwarg in ids, f"URL {route!r} takes <{kwarg}>: add it to world_b so the access test covers it"
        url = url.replace(f"<{type(converter).__name__.replace('Converter', '').lower()}:{kwarg}>", str(ids[kwarg]))
        url = url.replace(f"<{kwarg}>", str(ids[kwarg]))
    assert "<" not in url, url
    return url


def test_every_url_is_covered(world_b):
    routes = portal_urls()
    assert len(routes) >= 3
    for _name, route, converters in routes:
        _fill(route, converters, world_b)


@pytest.mark.parametrize("persona", ["coordinator_a", "director_a", "lop_staff_a"])
def test_other_schools_objects_are_404_for_everyone_outside(persona, request, world_b, school_b, client):
    client.force_login(request.getfixturevalue(persona))
    for name, route, converters in portal_urls():
        if not converters:
            continue
        url = _fill(route, converters, world_b)
        response = client.get(url)
        assert response.status_code in (403, 404), f"{persona} reached {url} ({name}): {response.status_code}"


@pytest.mark.parametrize("persona", ["coordinator_a", "director_a", "lop_staff_a"])
def test_pages_without_ids_never_show_another_school(persona, request, world_b, school_b, client):
    client.force_login(request.getfixturevalue(persona))
    for name, route, converters in portal_urls():
        if converters:
            continue
        response = client.get("/" + route, follow=True)
        assert response.status_code in (200, 403), f"{persona} got {response.status_code} on /{route}"
        assert school_b.name not in response.content.decode(), f"{persona} saw school B on /{route} ({name})"


def test_lop_staff_reach_no_pupil_or_device_page(lop_staff_a, school_a, client):
    loan = LoanFactory(device__school=school_a)
    own = {"school_id": school_a.pk, "device_id": loan.device.pk, "loan_id": loan.pk, "pupil_id": loan.pupil.pk,
           "household_id": loan.pupil.household.pk, "lop_id": school_a.lop.pk,
           "agreement_id": AgreementFactory(loan=loan).pk,
           "guardian_id": GuardianFactory(household=loan.pupil.household).pk,
           "staff_member_id": StaffMemberFactory(school=school_a).pk,
           "incident_id": Incident.objects.create(device=loan.device, loan=loan, kind="damage").pk,
           "repair_id": Repair.objects.create(device=loan.device).pk,
           "terms_id": AgreementTerms.objects.create(school=school_a, version=1).pk,
           "code_id": InternetCode.objects.create(school=school_a, provider="Telenet", code="A-SECRET",
                                                 valid_until="2027-06-30").pk,
           **_family_ids(school_a, loan.pupil.household), **_year_ids(school_a, loan), **_people_ids(school_a)}
    client.force_login(lop_staff_a)
    for name, route, converters in portal_urls():
        if not converters or set(converters) == {"lop_id"}:
            continue
        response = client.get(_fill(route, converters, own))
        assert response.status_code in (403, 404), f"LOP staff reached {route} ({name}) of their own LOP's school"


def test_anonymous_visitors_are_sent_to_login(world_b, client):
    for name, route, converters in portal_urls():
        response = client.get(_fill(route, converters, world_b))
        assert response.status_code == 302, f"{name} answered {response.status_code} without login"
        assert response["Location"].startswith("/accounts/login/")


def test_the_admin_is_closed_to_school_staff(coordinator_a, client):
    client.force_login(coordinator_a)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
