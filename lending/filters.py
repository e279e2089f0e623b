"""The filters of the device list; the label sheet uses the same ones, so labels match what the list shows."""
import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Device, Loan, normalize_asset_tag


class DeviceFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"), method="search",
        help_text=_("Asset tag, serial number, or make and model."),
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Device.Status.choices, empty_label=_("All"))
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Device.Kind.choices, empty_label=_("All"))
    funding_source = django_filters.ChoiceFilter(
        label=_("Funding source"), choices=Device.Funding.choices, empty_label=_("All")
    )
    overdue = django_filters.BooleanFilter(label=_("Past its return date"), method="past_due",
                                           widget=django_filters.widgets.BooleanWidget())

    class Meta:
        model = Device
        fields = ["q", "status", "kind", "funding_source", "overdue"]

    def past_due(self, queryset, name, value):
        """On loan and due before today (the dashboard's "devices past their return date")."""
        if value is None:
            return queryset
        late = Loan.objects.filter(device=OuterRef("pk"), status=Loan.Status.ACTIVE, due_on__lt=timezone.localdate())
        return queryset.filter(Exists(late)) if value else queryset.exclude(Exists(late))

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        # A scanned or typed tag matches however it was spaced or cased.
        return queryset.filter(
            Q(asset_tag__icontains=normalize_asset_tag(value))
            | Q(serial_number__icontains=value)
            | Q(make_model__icontains=value)
        )
