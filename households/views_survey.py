"""Coordinator pages for the needs survey (under /families/surveys/)."""
import uuid

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from portal import jobs
from portal.access import get_scoped_or_404, school_required, scoped
from portal.models import Job

from . import survey as surveys
from . import tasks
from .forms_families import RecordAnswerForm, SurveyCreateForm
from .models import Pupil, Survey, SurveyAnswer, SurveyInvite

PAGE_SIZE = 50


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
        "job_key": uuid.uuid4().hex,
    })


@school_required
def survey_letters(request, survey_id):
    """Print letters: made by a worker (300 of them took 42 s in the request); the page shows its progress."""
    survey = get_scoped_or_404(Survey.objects.select_related("school"), request, pk=survey_id)
    if request.method != "POST":
        return redirect("survey_detail", survey_id=survey.pk)
    job, _created = jobs.job_start(
        school=request.school, by=request.user, kind=Job.Kind.SURVEY_LETTERS, title=survey.title,
        task=tasks.make_survey_letters, key=request.POST.get("job_key", ""), subject=f"survey:{survey.pk}",
        params={"survey_id": survey.pk, "base_url": request.build_absolute_uri("/"),
                "next_url": reverse("survey_detail", args=[survey.pk])})
    return redirect("document_detail", job_id=job.pk)


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
