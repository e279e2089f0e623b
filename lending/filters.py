"""The filters of the device list; the label sheet uses the same ones, so labels match what the list shows."""
import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Device, normalize_asset_tag


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

    class Meta:
        model = Device
        fields = ["q", "status", "kind", "funding_source"]

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
