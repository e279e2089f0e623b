"""Every Dutch text a parent reads scores at least "fairly easy" on Flesch-Douma.

Floor: 70, the lower edge of Flesch's "fairly easy" band. B1 texts usually land at 60 or above;
textstat's Dutch syllable counts run a little low (scores come out high), so the floor is set one
band higher than 60 to keep a real margin. A legal-style sentence scores far below it (tested).
"""
import re
from html import unescape

import pytest
import textstat

from lending import agreements, pdf

from ..factories import GuardianFactory
from .test_agreement_pdf import make_agreement

pytestmark = pytest.mark.django_db

FLOOR = 70

textstat.set_lang("nl")  # first, always: the English mode tries a download that fails here


def visible_text(html: str) -> str:
    html = re.sub(r"(?s)<(script|style|head|nav)\b.*?</\1>", " ", html)
    html = re.sub(r"<[^>]+>", "\n", html)
    lines = [" ".join(unescape(line).split()) for line in html.split("\n")]
    # Headings and labels have no full stop; count each line as a sentence.
    return " ".join(line if line[-1:] in ".?!:" else line + "." for line in lines if line)


def score(text: str) -> float:
    textstat.set_lang("nl")
    return textstat.flesch_reading_ease(text)


@pytest.mark.parametrize("variant", [
    {},
    {"deposit": "20", "cap": "75", "return_policy": "career"},
])
def test_the_dutch_agreement_text_is_easy_to_read(school_a, variant):
    terms = {"return_policy": variant.get("return_policy", "school_year")}
    agreement = make_agreement(school_a, deposit=variant.get("deposit", "0"), cap=variant.get("cap", "0"), **terms)
    text = visible_text(pdf.render_text(agreement, "nl"))
    assert "Het toestel mag mee naar huis" in text
    result = score(text)
    print(f"agreement {variant or 'defaults'}: Flesch-Douma {result:.1f}")
    assert result >= FLOOR, text


def test_the_dutch_signing_pages_are_easy_to_read(school_a, client):
    agreement = make_agreement(school_a)
    GuardianFactory(household=agreement.loan.pupil.household)
    _link, token = agreements.link_create(agreement=agreement, channel="email")
    page = client.get(f"/s/{token}/").content.decode()
    around = page.replace(pdf.render_text(agreement, "nl"), "")  # the page's own words, not the agreement
    pages = {"sign": around, "unknown": client.get("/s/unknown-token/").content.decode()}
    _old, old_token = agreements.link_create(agreement=agreement, channel="email")
    _old.expires_at = _old.created_at
    _old.save(update_fields=["expires_at"])
    pages["expired"] = client.get(f"/s/{old_token}/").content.decode()
    assert "te oud" in pages["expired"]
    pages["question sent"] = client.post(f"/s/{token}/", {"action": "question", "question": "Waarom?",
                                                          "lang": "nl"}).content.decode()
    client.post(f"/s/{token}/", {"action": "sign", "signer_name": "Sara", "agree": "on", "lang": "nl",
                                 "text_sha256": pdf.sha256_hex(pdf.render_text(agreement, "nl"))})
    pages["thank you"] = client.get(f"/s/{token}/").content.decode()
    assert "Bedankt" in pages["thank you"]
    for name, html in pages.items():
        text = visible_text(html)
        result = score(text)
        print(f"{name} page: Flesch-Douma {result:.1f}")
        assert result >= FLOOR, text


def test_the_floor_catches_legal_language():
    legal = ("De ondergetekende, hierna genoemd de ontlener, verbindt zich ertoe het uitgeleende "
             "informaticamateriaal onverwijld en in oorspronkelijke staat te restitueren bij beëindiging van "
             "de inschrijving, onverminderd de aansprakelijkheid voor alle rechtstreekse en onrechtstreekse "
             "schade die voortvloeit uit oneigenlijk gebruik, nalatigheid of verduistering.")
    assert score(legal) < FLOOR


def test_the_dutch_return_receipt_its_mail_and_the_ended_loan_page_are_easy_to_read(school_a, client,
                                                                                    coordinator_a):
    from django.template.loader import render_to_string
    from django.utils import translation

    from lending import desk, receipts
    from lending.models import Agreement, ReturnReceipt

    agreement = make_agreement(school_a)
    loan = agreement.loan
    GuardianFactory(household=loan.pupil.household)
    _link, token = agreements.link_create(agreement=agreement, channel="email")
    desk.loan_checkin(loan=loan, by=coordinator_a, condition_in="good", accessories_in=loan.accessories_out)
    assert Agreement.objects.get(pk=agreement.pk).status == Agreement.Status.ENDED
    receipt = receipts.load(ReturnReceipt.objects.get(loan=loan).pk)
    receipt.language = "nl"
    context = receipts.receipt_context(receipt)
    with translation.override("nl"):
        texts = {"receipt": render_to_string("pdf/return_receipt.html", context),
                 "receipt mail": render_to_string("emails/return_receipt.txt", context)}
    texts["ended"] = client.get(f"/s/{token}/?lang=nl").content.decode()
    assert "Deze lening is afgelopen" in texts["ended"]
    for name, html in texts.items():
        result = score(visible_text(html))
        print(f"{name}: Flesch-Douma {result:.1f}")
        assert result >= FLOOR, (name, visible_text(html))
