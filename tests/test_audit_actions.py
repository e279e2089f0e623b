"""Every audit action the code can write has words a director understands."""
import re
from pathlib import Path

from django.utils import translation

from portal.audit_actions import ACTION_LABELS, action_label

ROOT = Path(__file__).resolve().parent.parent
# action="x.y" in record()/AuditEvent(), _audit(request, device, "x.y"), and NAME = "x.y" constants.
PATTERNS = [re.compile(r'action="([a-z_]+(?:\.[a-z_]+)*)"'), re.compile(r'_audit\(request, \w+, "([a-z_.]+)"\)'),
            re.compile(r'^[A-Z_]+ = "([a-z_]+\.[a-z_]+)"$', re.M)]
NOT_ACTIONS = {"append", "store_true", "store_false"}  # argparse actions in management commands


def actions_in_code() -> set[str]:
    found = set()
    for package in ("portal", "lending", "households"):
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            text = path.read_text()
            if "record(" not in text and "AuditEvent(" not in text and "_audit(" not in text:
                continue
            for pattern in PATTERNS:
                found |= set(pattern.findall(text))
    return found - NOT_ACTIONS


def test_every_action_written_by_the_code_has_a_label():
    found = actions_in_code()
    assert len(found) > 30  # the scan itself works
    assert sorted(found - set(ACTION_LABELS)) == []


def test_an_unknown_action_shows_as_stored_and_a_known_one_in_words():
    assert action_label("something.new") == "something.new"
    with translation.override("nl"):
        assert action_label("loan.checkout") == "Toestel uitgeleend"
