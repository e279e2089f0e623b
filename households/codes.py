"""Free internet codes: import from a provider, hand out, activate, extend.

A code is a secret. It is never written to an audit row, a log line, an error message or a list;
only the coordinator who handed it out sees it, and the family gets it in a letter or message.
"""
import datetime
import logging
from datetime import timedelta

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from portal import audit, messages
from portal.csvfiles import ImportRejected, RowError, read_csv
from portal.documents import html_to_pdf, htmls_to_pdf
from portal.jobs import JobRefused, Outcome
from portal.languages import household_language
from portal.models import AuditEvent, School
from portal.public_pages import privacy_url

from .models import Household, InternetCode

logger = logging.getLogger(__name__)

COLUMNS = ("provider", "code", "valid until")
ATTENTION_DAYS = 14
# What audit rows may show of a code: everything but the code itself.
AUDIT_FIELDS = ["provider", "valid_until", "household", "issued_at", "activated_at", "extended_until"]
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")


class CodeError(Exception):
    """A hand-out, activation or extension that cannot be done; the message is for the user."""


def parse_date(value: str) -> datetime.date | None:
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(value.strip(), fmt).date()
        except ValueError:
            continue
    return None


def _snapshot(code: InternetCode) -> dict:
    return audit.snapshot(code, fields=AUDIT_FIELDS)


# --- import ------------------------------------------------------------------------------------

def import_codes(*, school, data: bytes, by=None, batch: str = "") -> int:
    """Import a provider's batch: every row or none. Raises ImportRejected listing every bad row."""
    csv_file = read_csv(data, required=COLUMNS)
    errors = list(csv_file.errors)
    today = timezone.localdate()
    seen: dict[tuple[str, str], int] = {}
    planned = []
    for row in csv_file.rows:
        provider, code, valid = row["provider"], row["code"], row["valid until"]
        problems = []
        if not provider:
            problems.append(_("the provider is missing"))
        if not code:
            problems.append(_("the code is missing"))
        elif len(code) > InternetCode._meta.get_field("code").max_length:
            problems.append(_("the code is too long"))
        until = parse_date(valid) if valid else None
        if not valid:
            problems.append(_("the end date is missing"))
        elif until is None:
            problems.append(_("the end date is not a date (use 2027-06-30 or 30/06/2027)"))
        elif until < today:
            problems.append(_("the end date has passed"))
        key = (provider.lower(), code)
        if provider and code and key in seen:
            problems.append(_("the same code is on line %(line)d") % {"line": seen[key]})
        elif provider and code:
            seen[key] = row.line
        if problems:
            errors.append(RowError(row.line, "; ".join(problems)))
        else:
            planned.append((row.line, provider, code, until))
    with transaction.atomic():
        # One import per school at a time: a second post of the same file waits here, then finds its codes
        # imported and says so, instead of failing on the unique constraint (a 500).
        School.objects.select_for_update().filter(pk=school.pk).values_list("pk", flat=True).get()
        # Codes already in the portal (at any school): a provider's code exists once.
        existing = set()
        for provider in {p for _line, p, _code, _until in planned}:
            codes = [c for _line, p, c, _until in planned if p == provider]
            existing |= {(provider.lower(), c) for c in InternetCode.objects.filter(
                provider__iexact=provider, code__in=codes).values_list("code", flat=True)}
        for line, provider, code, _until in planned:
            if (provider.lower(), code) in existing:
                errors.append(RowError(line, _("this code was already imported")))
        if errors:
            raise ImportRejected(errors)
        created = InternetCode.objects.bulk_create([
            InternetCode(school=school, provider=provider, code=code, valid_until=until, batch=batch[:120])
            for _line, provider, code, until in planned
        ])
        audit.record(actor=by, action=AuditEvent.Action.INTERNET_CODES_IMPORTED, instance=school, school=school,
                     after={"count": len(created), "batch": batch[:120]})
    return len(created)


# --- hand-out ----------------------------------------------------------------------------------

def available_codes(school):
    return InternetCode.objects.filter(school=school, household__isnull=True, issued_at__isnull=True,
                                       valid_until__gte=timezone.localdate())


def code_hand_out(*, school, household: Household, by, provider: str = "") -> InternetCode:
    """Give the household the next free code (soonest to expire first) of the school."""
    if household.school_id != school.pk:
        raise CodeError(_("This family is not at your school."))
    with transaction.atomic():
        candidates = available_codes(school).order_by("valid_until", "pk").select_for_update(skip_locked=True)
        if provider:
            candidates = candidates.filter(provider=provider)
        code = candidates.first()
        if code is None:
            raise CodeError(_("There is no free internet code left. Import a new batch first."))
        before = _snapshot(code)
        code.household = household
        code.issued_at = timezone.now()
        code.issued_by = by
        code.save(update_fields=["household", "issued_at", "issued_by"])
        audit.record(actor=by, action=AuditEvent.Action.INTERNET_CODE_HANDED_OUT, instance=code, school=school,
                     before=before, after=_snapshot(code))
    return code


def code_activate(*, code: InternetCode, by, at: datetime.datetime | None = None) -> bool:
    """Record that the family activated the code. Returns False when it already was."""
    if code.issued_at is None:
        raise CodeError(_("This code has not been handed out yet."))
    with transaction.atomic():
        updated = InternetCode.objects.filter(pk=code.pk, activated_at__isnull=True).update(
            activated_at=at or timezone.now())
        if not updated:
            return False
        before = _snapshot(code)
        code.refresh_from_db()
        audit.record(actor=by, action=AuditEvent.Action.INTERNET_CODE_ACTIVATED, instance=code, school=code.school,
                     before=before, after=_snapshot(code))
    return True


def code_extend(*, code: InternetCode, until: datetime.date, by) -> InternetCode:
    if code.issued_at is None:
        raise CodeError(_("This code has not been handed out yet."))
    if until <= code.expires_on:
        raise CodeError(_("The new date must be later than %(date)s.") % {"date": code.expires_on.isoformat()})
    with transaction.atomic():
        before = _snapshot(code)
        code.extended_until = until
        code.save(update_fields=["extended_until"])
        audit.record(actor=by, action=AuditEvent.Action.INTERNET_CODE_EXTENDED, instance=code, school=code.school,
                     before=before, after=_snapshot(code))
    return code


def import_activations(*, school, data: bytes, by=None) -> int:
    """The provider's list of activated codes (columns: code, optional provider and activated on).

    All or nothing: a code the school does not know, or has not handed out, is a bad row.
    Codes already marked activated are left as they are. Returns how many were newly activated.
    """
    csv_file = read_csv(data, required=("code",))
    errors = list(csv_file.errors)
    rows = [row for row in csv_file.rows]
    codes = {(c.provider.lower(), c.code): c for c in InternetCode.objects.filter(
        school=school, code__in=[row["code"] for row in rows]).select_related("school")}
    by_code: dict[str, list[InternetCode]] = {}
    for (_provider, value), code in codes.items():
        by_code.setdefault(value, []).append(code)
    plan = []
    for row in rows:
        value, provider = row["code"], row["provider"]
        matches = [codes[(provider.lower(), value)]] if provider and (provider.lower(), value) in codes else (
            [] if provider else by_code.get(value, []))
        when = None
        if row["activated on"]:
            day = parse_date(row["activated on"])
            if day is None:
                errors.append(RowError(row.line, _("the activation date is not a date")))
                continue
            when = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
        if not value:
            errors.append(RowError(row.line, _("the code is missing")))
        elif not matches:
            errors.append(RowError(row.line, _("this code is not one of your school's codes")))
        elif len(matches) > 1:
            errors.append(RowError(row.line, _("two providers have this code; add a provider column")))
        elif matches[0].issued_at is None:
            errors.append(RowError(row.line, _("this code has not been handed out yet")))
        else:
            plan.append((matches[0], when))
    if errors:
        raise ImportRejected(errors)
    count = 0
    with transaction.atomic():
        for code, when in plan:
            count += code_activate(code=code, by=by, at=when)
    return count


# --- letters and messages ------------------------------------------------------------------------

def letter_context(code: InternetCode) -> dict:
    return {"code": code, "household": code.household, "school": code.school, "today": timezone.localdate()}


def letter_html(code: InternetCode, base_url: str = "") -> str:
    language = household_language(code.household)
    privacy = privacy_url(base_url, language=language, school_id=code.school_id) if base_url else ""
    with translation.override(language):
        return render_to_string("pdf/code_letter.html", {**letter_context(code), "language": language,
                                                         "privacy_url": privacy})


def render_letter_pdf(code: InternetCode, base_url: str = "") -> bytes:
    return html_to_pdf(letter_html(code, base_url))


def code_letter_printed(*, codes: list[InternetCode], by) -> int:
    """Record that these codes' letters were printed: the first time on the code, every time in the trail."""
    with transaction.atomic():
        InternetCode.objects.filter(pk__in=[code.pk for code in codes], letter_printed_at__isnull=True).update(
            letter_printed_at=timezone.now())
        for code in codes:
            audit.record(actor=by, action=AuditEvent.Action.INTERNET_CODE_LETTER_PRINTED, instance=code,
                         school=code.school)
    return len(codes)


def letters_waiting(school, user):
    """The codes this coordinator handed out whose letter was never printed (only they see the codes)."""
    return InternetCode.objects.filter(school=school, issued_by=user, household__isnull=False,
                                       letter_printed_at__isnull=True).order_by("household__name", "pk")


def letters_make(job, progress) -> Outcome:
    """One PDF with the letter of each chosen code, in each family's language (made by a worker)."""
    codes = list(InternetCode.objects.filter(pk__in=job.params["code_ids"], school=job.school,
                                             issued_by=job.created_by, household__isnull=False)
                 .select_related("household", "school").order_by("household__name", "pk"))
    if not codes:
        raise JobRefused(_("There are no letters to print."))
    pdf = htmls_to_pdf((letter_html(code, job.params["base_url"]) for code in codes), total=len(codes),
                       progress=progress)

    def record_printed() -> str:
        count = code_letter_printed(codes=codes, by=job.created_by)
        return ngettext("%(count)d letter with an internet code.", "%(count)d letters with an internet code.",
                        count) % {"count": count}

    return Outcome(file=pdf, filename="internet-code-letters.pdf", then=record_printed)


NO_ADDRESS = {
    messages.EMAIL: gettext_lazy("No guardian of this family has an e-mail address."),
    messages.SMS: gettext_lazy("No guardian of this family has a mobile phone number."),
}


def code_send(*, code: InternetCode, channel: str, by) -> int:
    """Send the code with the activation steps by e-mail or SMS to the household's guardians."""
    if code.issued_at is None or code.household is None:
        raise CodeError(_("This code has not been handed out yet."))
    if channel not in messages.SENT_CHANNELS:
        raise CodeError(_("Choose e-mail or SMS."))
    with transaction.atomic():
        try:
            message = messages.notify_household(
                household=code.household, channel=channel, subject=gettext_lazy("Free internet at home: your code"),
                email_template="households/code_message_email.html", template="households/code_message_sms.html",
                context=letter_context(code), about=f"internetcode:{code.pk}")
        except messages.NoAddress:
            raise CodeError(str(NO_ADDRESS[channel])) from None
        audit.record(actor=by, action=AuditEvent.Action.INTERNET_CODE_SENT, instance=code, school=code.school,
                     after={"channel": channel, "recipients": len(message.to)})
    return len(message.to)


def attention_window():
    today = timezone.localdate()
    return today, today + timedelta(days=ATTENTION_DAYS), timezone.now() - timedelta(days=ATTENTION_DAYS)
