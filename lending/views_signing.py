"""The parents' pages: no account, the token in the link is the key.

The page speaks the family's language (or the one chosen with ?lang=), whatever the staff cookie
says. Expired, used or unknown links get a friendly page that changes nothing.
"""
from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from portal.public_pages import family_page_language
from portal.public_pages import render_family_page as _render

from . import agreements, pdf, signing
from .forms_agreements import QuestionForm, SignForm
from .models import Agreement

PROBLEM_STATUS = {"unknown": 404, "expired": 410, "used": 200, "gone": 410, "ended": 410}


def choose_language(request, agreement) -> str:
    return family_page_language(request, agreement.language if agreement else None)


def link_problem(request, state, agreement=None, token=None):
    language = choose_language(request, agreement)
    download = bool(token and agreement and agreement.signed_method != Agreement.Method.PAPER
                    and agreements.signed_download_open(agreement))
    return _render(request, "public/link_problem.html",
                   {"state": state, "agreement": agreement, "token": token, "download": download,
                    "signed": agreement is not None and agreement.status == Agreement.Status.SIGNED,
                    "download_days": agreements.SIGNED_DOWNLOAD_DAYS},
                   language, status=PROBLEM_STATUS[state])


def sign_page(request, *, agreement, method, link=None, done_url=None):
    """The agreement, a signing form and (online) a question form; shared by the desk page."""
    language = choose_language(request, agreement)
    text = pdf.render_text(agreement, language)
    text_hash = pdf.sha256_hex(text)
    sign_form = SignForm(initial={"text_sha256": text_hash, "lang": language})
    question_form = QuestionForm()
    text_changed = False
    if request.method == "POST" and request.POST.get("action") == "question" and link is not None:
        question_form = QuestionForm(request.POST)
        if question_form.is_valid():
            agreements.agreement_ask_question(agreement=agreement, question=question_form.cleaned_data["question"],
                                              base_url=request.build_absolute_uri("/"))
            return _render(request, "public/question_sent.html", {"agreement": agreement}, language)
    elif request.method == "POST":
        sign_form = SignForm(request.POST)
        if sign_form.is_valid() and sign_form.cleaned_data["text_sha256"] != text_hash:
            text_changed = True
            sign_form = SignForm(initial={"text_sha256": text_hash, "lang": language,
                                          "signer_name": sign_form.cleaned_data["signer_name"]})
        elif sign_form.is_valid():
            data = sign_form.cleaned_data
            try:
                agreements.agreement_sign(
                    agreement=agreement, method=method, signer_name=data["signer_name"], language=language,
                    text_sha256=text_hash, ip=request.META.get("REMOTE_ADDR"),
                    user_agent=request.META.get("HTTP_USER_AGENT", ""),
                    signature_png=agreements.decode_signature(data["signature"]), link=link,
                    by=request.user if method == Agreement.Method.DESK else None,
                )
            except agreements.AlreadySigned:
                return link_problem(request, "used", agreement)
            if done_url:
                messages.success(request, _("The agreement is signed."))
                return redirect(done_url)
            return redirect(request.path + f"?lang={language}")
    return _render(request, "public/sign.html", {
        "agreement": agreement, "text": text, "sign_form": sign_form, "question_form": question_form,
        "ask_question": link is not None, "text_changed": text_changed, "method": method,
        "school": agreement.loan.device.school,
        "pupil_name": agreement.loan.pupil.full_name if agreement.loan.pupil else "",
    }, language)


@never_cache
def public_sign(request, token):
    found = signing.lookup(token)
    if found.link is None:
        return link_problem(request, "unknown")
    agreement = found.link.agreement
    if agreement.status == Agreement.Status.ENDED:
        return link_problem(request, "ended", agreement)
    if found.state == "used" or agreement.status not in Agreement.UNSIGNED_STATUSES:
        return link_problem(request, "used", agreement, token if found.state == "used" else None)
    if found.state == "expired":
        return link_problem(request, "expired", agreement)
    return sign_page(request, agreement=agreement, method=Agreement.Method.ONLINE, link=found.link)


@never_cache
def public_signed_pdf(request, token):
    """The signed copy, with the same link, for SIGNED_DOWNLOAD_DAYS after signing."""
    found = signing.lookup(token)
    if found.link is None:
        return link_problem(request, "unknown")
    agreement = found.link.agreement
    if found.state != "used" or agreement.signed_method == Agreement.Method.PAPER:
        return link_problem(request, "unknown" if found.state != "used" else "used", agreement)
    if not agreements.signed_download_open(agreement):
        return link_problem(request, "gone", agreement)
    if not agreement.signed_pdf:
        pdf.store_signed_pdf(pdf.load_for_render(agreement.pk))
        agreement.refresh_from_db()
    response = FileResponse(agreement.signed_pdf.open("rb"), as_attachment=True,
                            filename=f"agreement-{agreement.pk}-signed.pdf", content_type="application/pdf")
    response["Cache-Control"] = "no-store"
    return response


