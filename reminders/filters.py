"""The filters of the reminder list."""
import django_filters
from django.utils.translation import gettext_lazy as _

from .models import Reminder


class ReminderFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Reminder.Kind.choices, empty_label=_("All"))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Reminder.Status.choices, empty_label=_("All"))
    channel = django_filters.ChoiceFilter(label=_("Channel"), choices=Reminder.Channel.choices, empty_label=_("All"))

    class Meta:
        model = Reminder
        fields = ["kind", "status", "channel"]
