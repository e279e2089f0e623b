from django.db import migrations, models


# The codes written before the trail had one vocabulary, and their names in it.
RENAMED = {
    'agreement_send': 'agreement.sent',
    'agreement_sign': 'agreement.signed',
    'agreement_question': 'agreement.question_asked',
    'agreement_paper_signed': 'agreement.paper_signed',
    'agreement_regenerate': 'agreement.pdf_regenerated',
    'terms_save': 'terms.changed',
    'device.create': 'device.created',
    'device.update': 'device.updated',
    'device.import.create': 'device.imported',
    'device.import.update': 'device.updated_by_import',
    'loan.checkout': 'loan.checked_out',
    'loan.checkin': 'loan.returned',
    'loan.leaver_return': 'loan.returned_by_leaver',
    'loan.transfer': 'loan.transferred',
    'loan.renew': 'loan.renewed',
    'loan.year_end': 'loan.year_end_recorded',
    'incident.create': 'incident.recorded',
    'repair.send': 'repair.sent',
    'households.anonymised': 'household.anonymised',
}


def rename(apps, schema_editor, pairs):
    AuditEvent = apps.get_model("portal", "AuditEvent")
    for old, new in pairs:
        AuditEvent.objects.filter(action=old).update(action=new)


def forwards(apps, schema_editor):
    rename(apps, schema_editor, RENAMED.items())


def backwards(apps, schema_editor):
    rename(apps, schema_editor, ((new, old) for old, new in RENAMED.items()))


class Migration(migrations.Migration):

    dependencies = [
        ('portal', '0002_desk_and_agreements'),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.AlterField(
            model_name='auditevent',
            name='action',
            field=models.CharField(choices=[('agreement.sent', 'Agreement sent to the family'), ('agreement.signed', 'Agreement signed'), ('agreement.question_asked', 'Family asked a question about the agreement'), ('agreement.paper_signed', 'Paper agreement uploaded'), ('agreement.pdf_regenerated', 'Agreement PDF made again'), ('agreement.evidence_removed', 'Signature evidence removed after the legal period'), ('terms.changed', 'Agreement terms changed'), ('device.created', 'Device added'), ('device.updated', 'Device changed'), ('device.imported', 'Device added by import'), ('device.updated_by_import', 'Device changed by import'), ('loan.checked_out', 'Device lent'), ('loan.returned', 'Device brought back'), ('loan.returned_by_leaver', 'Device brought back by a pupil who left'), ('loan.lost', 'Loan ended: device lost'), ('loan.transferred', 'Loan transferred'), ('loan.renewed', 'Loan renewed'), ('loan.year_end_recorded', 'Year-end choice recorded'), ('incident.recorded', 'Damage, loss or theft recorded'), ('repair.sent', 'Device sent for repair'), ('repair.back', 'Device back from repair'), ('pupils.roster_imported', 'Pupil list imported'), ('pupil.anonymised', 'Pupil data erased'), ('household.updated', 'Family changed'), ('household.social_tariff_pointed', 'Family pointed to the social tariff'), ('household.exported', 'Family data exported'), ('household.anonymised', 'Family data erased'), ('guardian.created', 'Guardian added'), ('guardian.updated', 'Guardian changed'), ('internet_codes.imported', 'Internet codes imported'), ('internet_code.handed_out', 'Internet code handed out'), ('internet_code.sent', 'Internet code sent to the family'), ('internet_code.letter_printed', 'Internet code letter printed'), ('internet_code.activated', 'Internet code activated'), ('internet_code.extended', 'Internet code extended'), ('survey.created', 'Survey sent'), ('survey.letters_printed', 'Survey letters printed'), ('survey.answered', 'Survey answered'), ('referral.created', 'Family referred for support'), ('referral.updated', 'Referral changed'), ('support_organisation.created', 'Support organisation added'), ('support_organisation.updated', 'Support organisation changed'), ('reminder.letters_handed_out', 'Reminder letters handed out'), ('two_step.enabled', 'Two-step login switched on'), ('two_step.disabled', 'Two-step login switched off')], max_length=64),
        ),
    ]
