import django.utils.timezone
from django.db import migrations, models


def from_creation_date(apps, schema_editor):
    """Devices already registered came into use, as far as the portal knows, the day they were added."""
    Device = apps.get_model("lending", "Device")
    for device in Device.objects.only("pk", "created_at").iterator(chunk_size=2000):
        Device.objects.filter(pk=device.pk).update(in_use_since=django.utils.timezone.localdate(device.created_at))


class Migration(migrations.Migration):

    dependencies = [
        ('lending', '0008_device_import_settings'),
    ]

    operations = [
        migrations.AddField(
            model_name='device',
            name='in_use_since',
            field=models.DateField(default=django.utils.timezone.localdate, verbose_name='in use since'),
        ),
        migrations.RunPython(from_creation_date, migrations.RunPython.noop),
    ]
