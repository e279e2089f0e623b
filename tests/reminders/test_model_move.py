"""The Reminder model moved from lending to reminders without a new table: a database migrated
before the move keeps its reminders, readable through the new app."""
import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("lending", "0005_reminder_digest_and_dated_steps"), ("reminders", None)]


def _leaf_nodes():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_reminders_written_before_the_move_are_read_after_it():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    executor.loader.build_graph()
    old = executor.loader.project_state([node for node in BEFORE if node[1]]).apps
    assert "reminder" in old.all_models["lending"]
    School = old.get_model("portal", "School")
    school = School.objects.create(instellingsnummer="123456", name="Oude school", level="primary")
    OldReminder = old.get_model("lending", "Reminder")
    OldReminder.objects.create(kind="overdue", subject_type="loan", subject_id=7, step=1, school_id=school.pk,
                               channel="email", due_at="2026-03-10T08:00:00+01:00")
    ContentType = old.get_model("contenttypes", "ContentType")
    ContentType.objects.get_or_create(app_label="lending", model="reminder")
    ContentType.objects.filter(app_label="reminders").delete()

    executor = MigrationExecutor(connection)
    executor.migrate(_leaf_nodes())

    from django.contrib.contenttypes.models import ContentType as CurrentContentType

    from reminders.models import Reminder

    reminder = Reminder.objects.get()
    assert (reminder.kind, reminder.subject_id, reminder.school.name) == ("overdue", 7, "Oude school")
    assert Reminder._meta.db_table == "lending_reminder"
    CurrentContentType.objects.clear_cache()
    assert CurrentContentType.objects.get_for_model(Reminder).app_label == "reminders"
    assert not CurrentContentType.objects.filter(app_label="lending", model="reminder").exists()
