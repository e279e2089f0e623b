"""Every text a family sees is whole in every family language: pages, e-mails, SMS, Smartschool
messages, letters and the agreement. Each is rendered in each language while every gettext call is
recorded; a string the catalog of that language does not translate fails the test (English is the
source language, so it needs no catalog). Dutch, the reference, also keeps one register: "je".
"""
import re
from datetime import timedelta
from pathlib import Path

import polib
import pytest
from django.utils import timezone, translation
from django.utils.translation import trans_real

from households import codes
from households import survey as surveys
from households.models import InternetCode, SurveyInvite
from lending import agreements, pdf
from portal.languages import FAMILY_LANGUAGES
from portal.models import Job
from portal.tokens import hash_token, new_token
from reminders import letters as reminder_letters
from reminders.models import Reminder
from reminders.texts import PREVIEWS, preview

from .factories import GuardianFactory, HouseholdFactory, PupilFactory
from .lending.test_agreement_pdf import make_agreement

pytestmark = pytest.mark.django_db
LOCALE = Path(__file__).resolve().parent.parent / "locale"
CATALOG_LANGUAGES = [code for code, _name in FAMILY_LANGUAGES if code != "en"]
FAMILY_REMINDERS = [(kind, step) for kind, step, channel in PREVIEWS if channel != Reminder.Channel.COORDINATOR]


class Recorder:
    """Wraps django.utils.translation's gettext functions: (language, msgid, context) of each call."""

    def __init__(self, monkeypatch):
        self.seen = set()
        trans = translation._trans
        for name, msgid_at, context_at in (("gettext", 0, None), ("ngettext", 0, None), ("pgettext", 1, 0),
                                           ("npgettext", 1, 0)):
            original = getattr(trans, name)
            monkeypatch.setattr(trans, name, self._wrap(original, msgid_at, context_at))

    def _wrap(self, original, msgid_at, context_at):
        def recorded(*args):
            context = args[context_at] if context_at is not None else None
            self.seen.add((translation.get_language(), str(args[msgid_at]), context))
            return original(*args)
        return recorded


def catalog(language):
    return {(entry.msgctxt, entry.msgid): entry for entry in polib.pofile(str(LOCALE / language / "LC_MESSAGES/django.po"))}


def untranslated(seen, language) -> list[str]:
    """The msgids asked for in ``language`` that its compiled catalogs (the project's, and Django's
    own for month names and form errors) do not hold: a fuzzy or empty entry is not compiled."""
    compiled = trans_real.translation(language)._catalog
    missing = []
    for lang, msgid, context in seen:
        key = f"{context}\x04{msgid}" if context else msgid
        if lang == language and msgid.strip() and key not in compiled and (key, 0) not in compiled:
            missing.append(msgid)
    return sorted(set(missing))


@pytest.fixture
def world(school_a, coordinator_a):
    household = HouseholdFactory(school=school_a, name="Peeters", contact_channel="email")
    GuardianFactory(household=household, email="ouder@example.org", phone="0470 12 34 56")
    PupilFactory(school=school_a, household=household, grade=5)
    agreement = make_agreement(school_a, deposit="20", cap="75")
    code = InternetCode.objects.create(school=school_a, provider="Telenet", code="TN-123", household=household,
                                       issued_at=timezone.now(), valid_until=timezone.localdate() + timedelta(days=60))
    return {"school": school_a, "household": household, "agreement": agreement, "code": code, "by": coordinator_a}


def render_family_pages(client, world, language):
    """Every family page once, in ``language``: signing (and its problems), the survey (and its
    problems and thanks), the privacy page."""
    agreement = world["agreement"]
    _link, token = agreements.link_create(agreement=agreement, channel="email")
    pages = [client.get(f"/s/{token}/?lang={language}"), client.get(f"/s/not-a-token/?lang={language}")]
    old, old_token = agreements.link_create(agreement=agreement, channel="email")
    old.expires_at = old.created_at
    old.save(update_fields=["expires_at"])
    pages.append(client.get(f"/s/{old_token}/?lang={language}"))
    pages.append(client.post(f"/s/{token}/", {"action": "question", "question": "?", "lang": language}))
    survey = surveys.survey_create(school=world["school"], title=f"Thuis {language}", grades=[5], class_names=[],
                                   channel="paper", by=world["by"], base_url="http://testserver")
    # A printed letter's link (letters are made by a job, which keeps its tokens to itself).
    survey_token = new_token()
    SurveyInvite.objects.filter(survey=survey, household=world["household"]).update(token_hash=hash_token(survey_token))
    pages.append(client.get(f"/q/{survey_token}/?lang={language}"))
    pages.append(client.post(f"/q/{survey_token}/", {"lang": language, "computer": "bad"}))  # errors shown
    pages.append(client.post(f"/q/{survey_token}/", {
        "lang": language, "computer": "no", "internet": "good", "wants_device": "yes", "wants_internet": "no",
        "wants_help": "no"}))
    pages.append(client.get(f"/q/{survey_token}/?lang={language}"))
    pages.append(client.get(f"/q/not-a-token/?lang={language}"))
    pages.append(client.get(f"/privacy/?lang={language}&school={world['school'].pk}"))
    for response in pages:
        assert response.status_code in (200, 404, 410), response.status_code
        assert f'lang="{language}"' in response.content.decode()
    return pages


def render_family_messages_and_letters(world, language, monkeypatch):
    """Every message (e-mail, SMS, Smartschool share the e-mail text) and letter, in ``language``."""
    household, school = world["household"], world["school"]
    household.preferred_language = language
    household.save(update_fields=["preferred_language"])
    context = {"school": school, "url": "http://testserver/x/", "household": household}
    texts = []
    with translation.override(language):
        from django.template.loader import render_to_string
        for template in ("emails/agreement_link.txt", "emails/agreement_link_sms.txt",
                         "households/survey_message_email.html", "households/survey_message_sms.html"):
            texts.append(render_to_string(template, {**context, "link": None, "agreement": world["agreement"]}))
        for template in ("households/code_message_email.html", "households/code_message_sms.html"):
            texts.append(render_to_string(template, codes.letter_context(world["code"])))
    for kind, step in FAMILY_REMINDERS:
        texts.append("\n".join(preview(school, kind, step, Reminder.Channel.EMAIL, language)))
    rendered_html = []
    monkeypatch.setattr("portal.documents.HTML", None)  # letters are checked as HTML here; PDFs elsewhere

    def capture(html):
        rendered_html.append(html)
        return b"%PDF-"
    for module in (codes, reminder_letters, pdf):
        monkeypatch.setattr(module, "html_to_pdf", capture)
    monkeypatch.setattr(surveys, "htmls_to_pdf", lambda documents, **kwargs: capture("".join(documents)))
    codes.render_letter_pdf(world["code"], "http://testserver")
    survey = surveys.survey_create(school=school, title=f"Brief {language}", grades=[5], class_names=[],
                                   channel="paper", by=world["by"], base_url="http://testserver")
    surveys.letters_make(Job(school=school, params={"survey_id": survey.pk, "base_url": "http://testserver"}),
                         progress=lambda done, total: None)
    reminder = Reminder.objects.create(kind=Reminder.Kind.OVERDUE, subject_type="loan", subject_id=0, step=1,
                                       school=school, household=household, channel="paper", language=language,
                                       due_at=timezone.now(), status=Reminder.Status.PAPER)
    reminder_letters.render_letters_pdf(school, [reminder])
    agreement = world["agreement"]
    agreement.language = language
    pdf.render_document(agreement, sign_url="http://testserver/s/x/")
    return texts + rendered_html


@pytest.mark.parametrize("language", CATALOG_LANGUAGES)
def test_every_family_text_is_translated(language, world, client, monkeypatch):
    recorder = Recorder(monkeypatch)
    render_family_pages(client, world, language)
    render_family_messages_and_letters(world, language, monkeypatch)
    assert len({msgid for lang, msgid, _c in recorder.seen if lang == language}) > 120  # the renders did happen
    assert untranslated(recorder.seen, language) == []


def test_the_check_catches_a_missing_translation(monkeypatch):
    """The check above can fail: a msgid absent from the catalog is reported."""
    recorder = Recorder(monkeypatch)
    with translation.override("tr"):
        unknown = "A sentence no catalog has ever seen."  # a variable, so makemessages never collects it
        translation.gettext(unknown)
        translation.gettext("Loan agreement")
    assert untranslated(recorder.seen, "tr") == ["A sentence no catalog has ever seen."]


FORMAL = re.compile(r"\b(u|uw|U|Uw)\b")


def test_dutch_family_texts_say_je_never_u(world, client, monkeypatch):
    recorder = Recorder(monkeypatch)
    pages = render_family_pages(client, world, "nl")
    texts = render_family_messages_and_letters(world, "nl", monkeypatch)
    nl = catalog("nl")
    formal = sorted({nl[(context, msgid)].msgstr or msgid for lang, msgid, context in recorder.seen
                     if lang == "nl" and (context, msgid) in nl and FORMAL.search(nl[(context, msgid)].msgstr or "")})
    assert formal == []
    # What the reader gets, whole-page texts (the privacy page) included.
    shown = [re.sub(r"<[^>]+>", " ", text) for text in [page.content.decode() for page in pages] + texts]
    assert [match.group(0) for text in shown for match in FORMAL.finditer(text)] == []
