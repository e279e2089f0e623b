"""Staff pages for reminders: what was sent, what each text says, and the paper letters to print."""
import uuid

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from portal import jobs
from portal.access import school_required, scoped
from portal.languages import language_choices
from portal.models import Job

from . import letters, tasks
from .filters import ReminderFilter
from .models import Reminder
from .texts import PREVIEWS, contacts_by_school, preview

PAGE_SIZE = 50


@require_GET
@school_required
def reminder_list(request):
    reminder_filter = ReminderFilter(request.GET or None, queryset=scoped(Reminder, request)
                                     .select_related("household").order_by("-due_at", "-pk"))
    reminders = reminder_filter.qs if reminder_filter.is_bound else reminder_filter.queryset
    return render(request, "reminders/reminder_list.html", {
        "filter": reminder_filter,
        "page": Paginator(reminders, PAGE_SIZE).get_page(request.GET.get("page")),
        "to_print": letters.letters_to_print(request.school).count(),
    })


@require_GET
@school_required
def reminder_previews(request):
    choices = language_choices()
    language = request.GET.get("language")
    if language not in dict(choices):
        language = "nl"
    contact = contacts_by_school([request.school.pk]).get(request.school.pk, {})
    texts = []
    for kind, step, channel in PREVIEWS:
        # Notes and digests go to coordinators, in their own language, whatever family language is chosen.
        text_language = get_language() if channel == Reminder.Channel.COORDINATOR else language
        subject, body = preview(request.school, kind, step, channel, text_language, contact=contact)
        texts.append({"kind": Reminder.Kind(kind).label, "step": step, "channel": Reminder.Channel(channel).label,
                      "subject": subject, "body": body})
    return render(request, "reminders/reminder_previews.html",
                  {"texts": texts, "languages": choices, "language": language})


@require_GET
@school_required
def reminder_letters_page(request):
    batch, waiting = letters.next_batch(request.school)
    return render(request, "reminders/reminder_letters.html", {
        "batch_size": len(batch), "waiting": waiting, "upto": batch[-1].pk if batch else None,
        "max_letters": letters.MAX_LETTERS, "job_key": uuid.uuid4().hex,
    })


@school_required
def reminder_letters_make(request):
    """The PDF of the next batch, made by a worker; the documents page has it when it is ready."""
    if request.method != "POST":
        return redirect("reminder_letters")
    if not letters.letters_to_print(request.school).exists():
        messages.info(request, _("There are no reminder letters to print."))
        return redirect("reminder_letters")
    job, _created = jobs.job_start(
        school=request.school, by=request.user, kind=Job.Kind.REMINDER_LETTERS, title="",
        task=tasks.make_reminder_letters, key=request.POST.get("job_key", ""), subject=f"school:{request.school.pk}",
        params={"next_url": reverse("reminder_letters")})
    return redirect("document_detail", job_id=job.pk)


@school_required
def reminder_letters_handed_out(request):
    if request.method != "POST":
        return redirect("reminder_letters")  # a bookmarked or reloaded confirmation changes nothing
    try:
        upto = int(request.POST.get("upto", ""))
    except ValueError:
        messages.error(request, _("Print the letters first, then mark them as handed out."))
        return redirect("reminder_letters")
    count = letters.mark_handed_out(school=request.school, upto=upto, actor=request.user)
    if count:
        messages.success(request, ngettext("%(count)d letter marked as handed out.",
                                           "%(count)d letters marked as handed out.", count) % {"count": count})
    else:
        messages.info(request, _("These letters were already marked as handed out."))
    return redirect("reminder_letters")
