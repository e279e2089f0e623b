"""The audit trail has one vocabulary: every action the code writes is an AuditEvent.Action with words a
director understands, and nothing else can be written."""
import re
from pathlib import Path

import pytest
from django.utils import translation

from portal import audit
from portal.models import AuditEvent

ROOT = Path(__file__).resolve().parent.parent
APPS = ("portal", "households", "lending", "reminders", "reports", "privacy", "demo")


def test_the_code_writes_actions_only_through_the_choices_type():
    raw = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for number, line in enumerate(path.read_text().splitlines(), start=1):
                if re.search(r'action=["\'][a-z_]+\.[a-z_.]+["\']', line) or re.search(r'_audit\(.*, ["\']', line):
                    raw.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert raw == []


def test_every_action_has_its_own_label_in_dutch_and_english():
    for action in AuditEvent.Action:
        with translation.override("en"):
            english = str(action.label)
        with translation.override("nl"):
            dutch = str(action.label)
        assert english and english != action.value, action
        assert dutch != english, f"{action.value} has no Dutch label"
    labels = [str(action.label) for action in AuditEvent.Action]
    assert len(labels) == len(set(labels)), "two actions read the same to a director"


def test_a_director_reads_words_and_an_unknown_action_is_refused(school_a):
    with translation.override("nl"):
        assert AuditEvent(action=AuditEvent.Action.LOAN_CHECKED_OUT).get_action_display() == "Toestel uitgeleend"
        assert AuditEvent(action="loan.returned_by_leaver").get_action_display() != "loan.returned_by_leaver"
    with pytest.raises(ValueError):
        audit.record(actor=None, action="loan.checkout", instance=school_a, school=school_a)


def test_snapshots_are_json_safe():
    import datetime
    from decimal import Decimal

    assert audit.json_safe({"on": datetime.date(2026, 3, 1), "at": datetime.datetime(2026, 3, 1, 8, 0),
                            "cost": Decimal("12.50"), "tags": ("a", 1)}) == {
        "on": "2026-03-01", "at": "2026-03-01T08:00:00", "cost": "12.50", "tags": ["a", 1]}
