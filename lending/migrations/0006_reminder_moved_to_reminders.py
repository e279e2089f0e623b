from django.db import migrations


class Migration(migrations.Migration):
    """Reminder now lives in the reminders app (reminders/0001 takes it over, table and all); only
    Django's state forgets it here, the table lending_reminder stays."""

    dependencies = [
        ('lending', '0005_reminder_digest_and_dated_steps'),
        ('reminders', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name='Reminder')]),
    ]
