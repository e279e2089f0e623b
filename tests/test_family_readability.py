"""Every Dutch text a family reads scores at least 70 on Flesch-Douma (see
tests/lending/test_readability.py for the floor and the agreement): each SMS, e-mail, reminder,
letter and page, scored one by one, so a short text cannot hide behind a long easy one."""
import re

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from households import codes
from reminders.models import Reminder
from reminders.texts import preview

from .lending.test_readability import FLOOR, score, visible_text
from .test_family_languages import FAMILY_REMINDERS, render_family_pages, world  # noqa: F401

pytestmark = pytest.mark.django_db
URL = re.compile(r"https?://\S+")


def plain(text: str) -> str:
    """A message as a reader meets it: without the link, each line a sentence."""
    lines = [" ".join(URL.sub("", line).split()) for line in text.splitlines()]
    return " ".join(line if line[-1:] in ".?!:" else line + "." for line in lines if line)


def family_messages(world):
    school = world["school"]
    context = {"school": school, "url": "https://uitleen.example.be/q/abc/", "household": world["household"],
               "link": None, "agreement": world["agreement"]}
    messages = {}
    with translation.override("nl"):
        for template in ("emails/agreement_link.txt", "emails/agreement_link_sms.txt",
                         "households/survey_message_email.html", "households/survey_message_sms.html"):
            messages[template] = render_to_string(template, context)
        for template in ("households/code_message_email.html", "households/code_message_sms.html"):
            messages[template] = render_to_string(template, codes.letter_context(world["code"]))
    for kind, step in FAMILY_REMINDERS:
        messages[f"reminder {kind} {step}"] = "\n".join(preview(school, kind, step, Reminder.Channel.EMAIL, "nl"))
    return messages


def test_every_dutch_sms_and_email_is_easy_to_read(world):
    scores = {name: score(plain(text)) for name, text in family_messages(world).items()}
    for name, result in sorted(scores.items()):
        print(f"{name}: Flesch-Douma {result:.1f}")
    assert {name: result for name, result in scores.items() if result < FLOOR} == {}


def test_every_dutch_family_page_is_easy_to_read(world, client):
    pages = render_family_pages(client, world, "nl")
    results = []
    for response in pages:
        text = visible_text(response.content.decode())
        results.append((score(text), text[:80]))
        print(f"{results[-1][0]:.1f} {results[-1][1]}")
    assert [result for result in results if result[0] < FLOOR] == []


def test_the_floor_catches_a_hard_sms():
    hard = ("Teneinde de registratie van de uitleenovereenkomst te finaliseren, verzoeken wij u vriendelijk "
            "doch dringend de elektronische ondertekeningsprocedure onverwijld te doorlopen.")
    assert score(plain(hard)) < FLOOR
