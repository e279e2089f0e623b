"""The school's documents page: what its long work made (letters, label sheets, exports, import results),
how far the running work is, and the downloads. Kept DOCUMENTS_KEEP_DAYS, then deleted."""
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .access import get_scoped_or_404, school_required, scoped
from .jobs import progress_of, row_errors
from .models import Job

PAGE_SIZE = 50


def import_answer(request, job: Job, *, done: str):
    """What a page that started an import answers: the job's page while it runs on a worker, its
    message and the `done` page once it worked; None when it was refused (the page lists the lines)."""
    if not job.finished:
        return redirect("document_detail", job_id=job.pk)
    if job.status == Job.Status.DONE:
        messages.success(request, job.message)
        return redirect(done)
    return None


def _visible(request):
    """The school's jobs this user may see: the shared ones, and their own private ones."""
    return scoped(Job, request).filter(Q(private=False) | Q(created_by=request.user))


@require_GET
@school_required
def document_list(request):
    jobs = _visible(request).select_related("created_by")
    page = Paginator(jobs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "portal/document_list.html", {
        "page": page, "any_active": any(not job.finished for job in page), "keep_days": settings.DOCUMENTS_KEEP_DAYS})


@never_cache
@require_GET
@school_required
def document_detail(request, job_id):
    job = get_scoped_or_404(_visible(request).select_related("created_by"), request, pk=job_id)
    return render(request, "portal/document_detail.html", {
        "job": job, "errors": row_errors(job), "next_url": job.params.get("next_url", "")})


@never_cache
@require_GET
@school_required
def document_status(request, job_id):
    """How far the job is, as JSON, for static/js/progress.js."""
    job = get_scoped_or_404(_visible(request), request, pk=job_id)
    return JsonResponse(progress_of(job))


@never_cache
@require_GET
@school_required
def document_download(request, job_id):
    job = get_scoped_or_404(_visible(request), request, pk=job_id)
    if job.status != Job.Status.DONE or not job.file:
        raise Http404
    response = FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename)
    response["Cache-Control"] = "no-store"
    return response
