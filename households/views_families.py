"""Coordinator pages for families: households, internet codes, the needs survey, local support."""
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from lending.models import Agreement, Loan
from portal import audit
from portal.access import get_scoped_or_404, lop_staff_required, school_required, scoped
from portal.csvfiles import ImportRejected
from portal.models import School

from . import codes, selectors, support
from . import survey as surveys
from .forms_families import (CodeExtendForm, CodeHandOutForm, CodeImportForm, CodeSendForm, CsvUploadForm,
                             GuardianForm, HouseholdForm, RecordAnswerForm, ReferralForm, ReferralStatusForm,
                             SupportOrganisationForm, SurveyCreateForm)
from .models import (Guardian, Household, InternetCode, Pupil, Referral, SupportOrganisation, Survey, SurveyAnswer,
                     SurveyInvite)

PAGE_SIZE = 50


def _no_store(response):
    response["Cache-Control"] = "no-store"
    return response


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
    pupils = list(scoped(Pupil, request).filter(household=household).prefetch_related(
        Prefetch("loans", queryset=Loan.objects.select_related("device").prefetch_related(
            Prefetch("agreements", queryset=Agreement.objects.order_by("-created_at"))).order_by("-started_at"))))
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
    return render(request, "households/household_detail.html", {
        "household": household, "guardians": list(household.guardians.all()), "pupils": pupils,
        "codes": internet_codes, "referrals": referrals, "answers": answers,
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
    from lending.pdf import language_choices, supported_languages

    chosen = request.GET.get("lang")
    language = chosen if chosen in supported_languages() else request.LANGUAGE_CODE
    return render(request, "households/social_tariff.html", {"language": language, "languages": language_choices()})


# --- internet codes ---------------------------------------------------------------------------------

@school_required
def code_list(request):
    mine = scoped(InternetCode, request)
    counts = selectors.internet_code_counts([request.school.pk]).get(request.school.pk)
    attention = list(selectors.codes_needing_attention(mine)[:200])
    issued = mine.filter(issued_at__isnull=False).select_related("household").order_by("-issued_at", "pk")
    page = Paginator(issued, PAGE_SIZE).get_page(request.GET.get("page"))
    by_provider = (mine.filter(issued_at__isnull=True, valid_until__gte=timezone.localdate())
                   .values("provider").annotate(count=Count("pk")).order_by("provider"))
    return render(request, "households/code_list.html", {
        "counts": counts, "attention": attention, "page": page, "by_provider": by_provider,
    })


@school_required
def code_import(request):
    form = CodeImportForm(request.POST or None, request.FILES or None, submit=_("Import the codes"),
                          form_id="code-import-form")
    errors = None
    if request.method == "POST" and form.is_valid():
        try:
            count = codes.import_codes(school=request.school, data=form.data_bytes, by=request.user,
                                       batch=form.cleaned_data["batch"] or form.cleaned_data["file"].name)
        except ImportRejected as rejected:
            errors = rejected.errors
        else:
            messages.success(request, _("%(count)d internet codes imported.") % {"count": count})
            return redirect("code_list")
    return render(request, "households/code_import.html", {"form": form, "errors": errors, "kind": "codes"})


@school_required
def code_activation_import(request):
    form = CsvUploadForm(request.POST or None, request.FILES or None, submit=_("Import the activations"),
                         form_id="activation-import-form")
    errors = None
    if request.method == "POST" and form.is_valid():
        try:
            count = codes.import_activations(school=request.school, data=form.data_bytes, by=request.user)
        except ImportRejected as rejected:
            errors = rejected.errors
        else:
            messages.success(request, _("%(count)d codes marked as activated.") % {"count": count})
            return redirect("code_list")
    return render(request, "households/code_import.html", {"form": form, "errors": errors, "kind": "activations"})


@school_required
def code_hand_out(request, household_id):
    household = get_scoped_or_404(Household, request, pk=household_id)
    if request.method != "POST":
        return redirect("household_detail", household_id=household.pk)
    providers = sorted(set(codes.available_codes(request.school).values_list("provider", flat=True)))
    form = CodeHandOutForm(request.POST, providers=providers)
    if not form.is_valid():
        messages.error(request, _("Choose a provider from the list."))
        return redirect("household_detail", household_id=household.pk)
    try:
        code = codes.code_hand_out(school=request.school, household=household, by=request.user,
                                   provider=form.cleaned_data["provider"])
    except codes.CodeError as error:
        messages.error(request, str(error))
        return redirect("household_detail", household_id=household.pk)
    messages.success(request, _("The code is handed out. Print the letter or send it to the family."))
    return redirect("code_detail", code_id=code.pk)


@never_cache
@school_required
def code_detail(request, code_id):
    code = get_scoped_or_404(InternetCode.objects.select_related("household"), request, pk=code_id)
    # The code itself only for the coordinator who handed it out.
    show_code = code.issued_by_id is not None and code.issued_by_id == request.user.pk
    return _no_store(render(request, "households/code_detail.html", {
        "code": code, "show_code": show_code,
        "send_form": CodeSendForm(initial={"channel": code.household.contact_channel if code.household else ""}),
        "extend_form": CodeExtendForm(),
    }))


@never_cache
@school_required
def code_letter(request, code_id):
    code = get_scoped_or_404(InternetCode.objects.select_related("household", "school"), request, pk=code_id)
    if code.issued_at is None or code.issued_by_id != request.user.pk:
        messages.error(request, _("Only the coordinator who handed out this code can print its letter."))
        return redirect("code_detail", code_id=code.pk)
    response = HttpResponse(codes.render_letter_pdf(code, request.build_absolute_uri("/")),
                            content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="internet-code-letter-{code.pk}.pdf"'
    audit.record(actor=request.user, action="internet_code.letter_printed", instance=code, school=request.school)
    return _no_store(response)


@school_required
def code_send(request, code_id):
    code = get_scoped_or_404(InternetCode.objects.select_related("household", "school"), request, pk=code_id)
    if request.method == "POST":
        form = CodeSendForm(request.POST)
        if code.issued_by_id != request.user.pk:
            messages.error(request, _("Only the coordinator who handed out this code can send it."))
        elif form.is_valid():
            try:
                count = codes.code_send(code=code, channel=form.cleaned_data["channel"], by=request.user)
            except codes.CodeError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("Sent to %(count)d address(es).") % {"count": count})
    return redirect("code_detail", code_id=code.pk)


@school_required
def code_activate(request, code_id):
    code = get_scoped_or_404(InternetCode, request, pk=code_id)
    if request.method == "POST":
        try:
            codes.code_activate(code=code, by=request.user)
        except codes.CodeError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Recorded: the code is activated."))
    return redirect("code_detail", code_id=code.pk)


@school_required
def code_extend(request, code_id):
    code = get_scoped_or_404(InternetCode, request, pk=code_id)
    if request.method == "POST":
        form = CodeExtendForm(request.POST)
        if form.is_valid():
            try:
                codes.code_extend(code=code, until=form.cleaned_data["until"], by=request.user)
            except codes.CodeError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("The code is extended."))
        else:
            messages.error(request, _("Enter a valid date."))
    return redirect("code_detail", code_id=code.pk)


# --- the needs survey -------------------------------------------------------------------------------

@school_required
def survey_list(request):
    surveys_ = scoped(Survey, request).annotate(
        invited=Count("invites", distinct=True),
        answered=Count("invites", filter=Q(invites__answered_at__isnull=False), distinct=True),
    ).order_by("-created_at")
    page = Paginator(surveys_, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "households/survey_list.html", {"page": page})


@school_required
def survey_create(request):
    pupils = scoped(Pupil, request).filter(active=True)
    grades = sorted(set(pupils.values_list("grade", flat=True)))
    classes = sorted(set(pupils.exclude(class_name="").values_list("class_name", flat=True)))
    form = SurveyCreateForm(request.POST or None, grades=grades, classes=classes)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        created = surveys.survey_create(school=request.school, title=data["title"], grades=data["grades"],
                                        class_names=data["class_names"], channel=data["channel"], by=request.user,
                                        base_url=request.build_absolute_uri("/"))
        messages.success(request, _("The survey is sent. Print the letters for families without e-mail or phone."))
        return redirect("survey_detail", survey_id=created.pk)
    return render(request, "households/survey_form.html", {"form": form})


@school_required
def survey_detail(request, survey_id):
    survey = get_scoped_or_404(Survey, request, pk=survey_id)
    invites = (SurveyInvite.objects.filter(survey=survey).select_related("household", "answer")
               .prefetch_related(Prefetch("household__pupils", queryset=Pupil.objects.filter(
                   active=True, school=request.school).order_by("first_name")))
               .order_by("-answered_at", "household__name", "pk"))
    page = Paginator(invites, PAGE_SIZE).get_page(request.GET.get("page"))
    paper = SurveyInvite.objects.filter(survey=survey, channel="paper", answered_at__isnull=True).count()
    return render(request, "households/survey_detail.html", {
        "survey": survey, "page": page, "by_class": surveys.response_by_class(survey), "paper_count": paper,
    })


@never_cache
@school_required
def survey_letters(request, survey_id):
    survey = get_scoped_or_404(Survey.objects.select_related("school"), request, pk=survey_id)
    if request.method != "POST":
        return redirect("survey_detail", survey_id=survey.pk)
    data = surveys.render_letters_pdf(survey=survey, base_url=request.build_absolute_uri("/"), by=request.user)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="survey-letters-{survey.pk}.pdf"'
    return _no_store(response)


@school_required
def survey_record(request, invite_id):
    invite = get_scoped_or_404(SurveyInvite.objects.select_related("household", "survey"), request, pk=invite_id)
    if invite.answered_at is not None:
        messages.info(request, _("This family already answered."))
        return redirect("survey_detail", survey_id=invite.survey_id)
    form = RecordAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            surveys.answer_record(invite=invite, data=form.cleaned_data,
                                  answered_by=SurveyAnswer.AnsweredBy.COORDINATOR,
                                  method=form.cleaned_data["method"], by=request.user)
        except surveys.SurveyError as error:
            messages.info(request, str(error))
        else:
            messages.success(request, _("The answers are saved."))
        return redirect("survey_detail", survey_id=invite.survey_id)
    return render(request, "households/survey_record.html", {"form": form, "invite": invite})


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
