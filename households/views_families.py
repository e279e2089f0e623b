"""Coordinator pages for families: households, guardians, social tariff, referrals, local support.

Internet codes are in views_codes.py, the needs survey in views_survey.py."""
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from portal.access import get_scoped_or_404, lop_staff_required, school_required, scoped
from portal.languages import chosen_language, language_choices
from portal.models import FailingAddress, Message, School
from portal.phones import to_e164

from . import codes, support
from .forms_families import (
    CodeHandOutForm,
    GuardianForm,
    HouseholdForm,
    ReferralForm,
    ReferralStatusForm,
    SupportOrganisationForm,
)
from .models import Guardian, Household, InternetCode, Pupil, Referral, SupportOrganisation, SurveyAnswer

PAGE_SIZE = 50


# --- households --------------------------------------------------------------------------------------

@school_required
def household_list(request):
    households = scoped(Household, request).annotate(
        pupil_count=Count("pupils", filter=Q(pupils__active=True), distinct=True),
        needs_device=Count("pupils", filter=Q(pupils__active=True, pupils__needs_device=True), distinct=True),
        needs_internet=Count("pupils", filter=Q(pupils__active=True, pupils__needs_internet=True), distinct=True),
    ).order_by("name", "pk")
    query = request.GET.get("q", "").strip()
    if query:
        households = households.filter(Q(name__icontains=query) | Q(guardians__name__icontains=query)).distinct()
    if request.GET.get("needs") == "1":
        households = households.filter(Q(pupils__needs_device=True) | Q(pupils__needs_internet=True)).distinct()
    page = Paginator(households, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "households/household_list.html", {"page": page, "query": query,
                                                              "needs": request.GET.get("needs") == "1"})


@school_required
def household_detail(request, household_id):
    household = get_scoped_or_404(Household, request, pk=household_id)
    # Loans are lending's: read through the pupil's own relation (loans and agreements order newest first).
    pupils = list(scoped(Pupil, request).filter(household=household).prefetch_related(
        "loans__device", "loans__agreements"))
    internet_codes = list(scoped(InternetCode, request).filter(household=household).order_by("-issued_at"))
    referrals = list(scoped(Referral, request).filter(household=household).select_related("organisation"))
    answers = list(SurveyAnswer.objects.filter(invite__household=household, invite__survey__school=request.school)
                   .select_related("invite__survey").order_by("-created_at")[:5])
    providers = sorted(set(codes.available_codes(request.school).values_list("provider", flat=True)))
    hand_out_form = CodeHandOutForm(providers=providers) if providers else None
    if hand_out_form:
        hand_out_form.helper.form_action = reverse("code_hand_out", kwargs={"household_id": household.pk})
    referral_form = ReferralForm(organisations=support.organisations_for_school(request.school))
    referral_form.helper.form_action = reverse("referral_add", kwargs={"household_id": household.pk})
    guardians = list(household.guardians.all())
    # What became of the messages, and which addresses a provider reported as not working.
    failing = set(FailingAddress.objects.filter(household_id=household.pk).values_list("channel", "address"))
    for guardian in guardians:
        guardian.email_failing = ("email", guardian.email.casefold()) in failing
        guardian.phone_failing = ("sms", to_e164(guardian.phone) or "") in failing
    sent = list(Message.objects.filter(school=request.school, household_id=household.pk).order_by("-created_at")[:10])
    return render(request, "households/household_detail.html", {
        "household": household, "guardians": guardians, "pupils": pupils,
        "codes": internet_codes, "referrals": referrals, "answers": answers, "sent_messages": sent,
        "hand_out_form": hand_out_form, "referral_form": referral_form,
    })


@school_required
def household_edit(request, household_id):
    household = get_scoped_or_404(Household, request, pk=household_id)
    # The form works on a copy: the service compares against the stored row for its audit record.
    form = HouseholdForm(request.POST or None, instance=Household.objects.get(pk=household.pk))
    if request.method == "POST" and form.is_valid():
        support.household_update(household=household, data=form.cleaned_data, by=request.user)
        messages.success(request, _("The household is saved."))
        return redirect("household_detail", household_id=household.pk)
    return render(request, "households/household_form.html", {"form": form, "household": household,
                                                              "title": _("Edit household")})


@school_required
def guardian_add(request, household_id):
    household = get_scoped_or_404(Household, request, pk=household_id)
    form = GuardianForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        support.guardian_save(household=household, guardian=None, data=form.cleaned_data, by=request.user)
        messages.success(request, _("The guardian is saved."))
        return redirect("household_detail", household_id=household.pk)
    return render(request, "households/household_form.html", {"form": form, "household": household,
                                                              "title": _("Add a guardian")})


@school_required
def guardian_edit(request, guardian_id):
    guardian = get_scoped_or_404(Guardian.objects.select_related("household"), request, pk=guardian_id)
    form = GuardianForm(request.POST or None, instance=Guardian.objects.get(pk=guardian.pk))
    if request.method == "POST" and form.is_valid():
        support.guardian_save(household=guardian.household, guardian=guardian, data=form.cleaned_data,
                              by=request.user)
        messages.success(request, _("The guardian is saved."))
        return redirect("household_detail", household_id=guardian.household_id)
    return render(request, "households/household_form.html", {"form": form, "household": guardian.household,
                                                              "title": _("Edit guardian")})


@school_required
def household_social_tariff(request, household_id):
    household = get_scoped_or_404(Household, request, pk=household_id)
    if request.method == "POST":
        support.household_point_to_social_tariff(household=household, by=request.user)
        messages.success(request, _("Recorded: the family was told about the social tariff."))
    return redirect("household_detail", household_id=household.pk)


@school_required
def social_tariff(request):
    """Plain-language text for a family, in the language chosen with ?lang= (staff menus stay as they are)."""
    language = chosen_language(request.GET.get("lang"), request.LANGUAGE_CODE)
    return render(request, "households/social_tariff.html", {"language": language, "languages": language_choices()})


# --- referrals --------------------------------------------------------------------------------------

@school_required
def referral_add(request, household_id):
    household = get_scoped_or_404(Household, request, pk=household_id)
    if request.method != "POST":
        return redirect("household_detail", household_id=household.pk)
    form = ReferralForm(request.POST, organisations=support.organisations_for_school(request.school))
    if form.is_valid():
        support.referral_create(household=household, data=form.cleaned_data, by=request.user)
        messages.success(request, _("The referral is saved."))
    else:
        messages.error(request, _("Choose an organisation and a reason."))
    return redirect("household_detail", household_id=household.pk)


@school_required
def referral_edit(request, referral_id):
    referral = get_scoped_or_404(Referral.objects.select_related("household", "organisation"), request,
                                 pk=referral_id)
    form = ReferralStatusForm(request.POST or None, instance=Referral.objects.get(pk=referral.pk))
    if request.method == "POST" and form.is_valid():
        support.referral_update(referral=referral, data=form.cleaned_data, by=request.user)
        messages.success(request, _("The referral is saved."))
        return redirect("household_detail", household_id=referral.household_id)
    return render(request, "households/support_referral.html", {"form": form, "referral": referral})


@school_required
def support_directory(request):
    organisations = support.organisations_for_school(request.school)
    return render(request, "households/support_directory.html", {"organisations": organisations})


# --- the LOP's directory of local support -----------------------------------------------------------

@lop_staff_required
def support_organisations(request, lop_id):
    """LOP staff keep the organisations of their LOP: list, add, and edit (?edit=<id>) on one page."""
    lop = get_object_or_404(request.lops, pk=lop_id)
    organisations = SupportOrganisation.objects.filter(lop=lop).order_by("municipality", "name")
    editing = None
    edit_id = request.POST.get("organisation") or request.GET.get("edit")
    if edit_id and str(edit_id).isdigit():
        editing = get_object_or_404(organisations, pk=edit_id)
    municipalities = sorted(set(School.objects.filter(lop=lop).exclude(municipality="")
                                .values_list("municipality", flat=True)))
    form = SupportOrganisationForm(request.POST or None,
                                   instance=SupportOrganisation.objects.get(pk=editing.pk) if editing else None,
                                   municipalities=municipalities)
    if request.method == "POST" and form.is_valid():
        support.organisation_save(organisation=editing, lop=lop, data=form.cleaned_data, by=request.user)
        messages.success(request, _("The organisation is saved."))
        return redirect("support_organisations", lop_id=lop.pk)
    return render(request, "households/support_organisations.html", {
        "lop": lop, "organisations": organisations, "form": form, "editing": editing})
