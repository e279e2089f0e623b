import django.db.models.deletion
from django.db import migrations, models


def content_type_follows_the_model(apps, schema_editor):
    """Admin permissions and anything keyed on the content type keep pointing at the same rows."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="reminders", model="reminder").exists():
        ContentType.objects.filter(app_label="lending", model="reminder").update(app_label="reminders")


def content_type_goes_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="lending", model="reminder").exists():
        ContentType.objects.filter(app_label="reminders", model="reminder").update(app_label="lending")


class Migration(migrations.Migration):
    """The Reminder model moved from lending to reminders; its table (lending_reminder) stays as it
    is, so this only tells Django's state where the model lives now (no table is made)."""

    initial = True

    dependencies = [
        ('households', '0005_pupil_left_on_and_anonymised_at'),
        ('portal', '0002_desk_and_agreements'),
        ('lending', '0005_reminder_digest_and_dated_steps'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.CreateModel(
            name='Reminder',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('agreement_unsigned', 'Agreement not signed yet'), ('return_due', 'Device to bring back soon'), ('overdue', 'Device not brought back yet'), ('code_expiring', 'Internet code ends soon'), ('code_not_activated', 'Internet code not used yet'), ('survey_unanswered', 'Survey not answered yet'), ('coordinator_digest', 'Daily overview for the coordinator')], max_length=24, verbose_name='kind')),
                ('subject_type', models.CharField(max_length=24, verbose_name='about')),
                ('subject_id', models.PositiveBigIntegerField(verbose_name='about number')),
                ('step', models.PositiveIntegerField(verbose_name='step')),
                ('channel', models.CharField(choices=[('email', 'E-mail'), ('sms', 'Text message (SMS)'), ('paper', 'Letter on paper'), ('coordinator', 'Note to the coordinator')], max_length=12, verbose_name='channel')),
                ('language', models.CharField(default='nl', max_length=8, verbose_name='language')),
                ('due_at', models.DateTimeField(verbose_name='may be sent from')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('claimed_at', models.DateTimeField(blank=True, null=True)),
                ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='sent at')),
                ('status', models.CharField(choices=[('pending', 'Waiting'), ('sending', 'Being sent'), ('sent', 'Sent'), ('paper', 'To print'), ('skipped', 'Skipped')], default='pending', max_length=8, verbose_name='status')),
                ('household', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='reminders', to='households.household')),
                ('school', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reminders', to='portal.school')),
            ],
            options={
                'verbose_name': 'reminder',
                'verbose_name_plural': 'reminders',
                'db_table': 'lending_reminder',
                'ordering': ['-due_at'],
                'indexes': [models.Index(fields=['status', 'due_at'], name='lending_rem_status_15fa37_idx')],
                'constraints': [models.UniqueConstraint(fields=('kind', 'subject_type', 'subject_id', 'step'), name='reminder_once_per_subject_step')],
            },
        )]),
        migrations.RunPython(content_type_follows_the_model, content_type_goes_back),
    ]
