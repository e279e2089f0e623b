"""Filters of the pupil list."""
import django_filters
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Pupil

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class PupilFilterForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_id = "pupil-filters"
        self.helper.form_class = "row row-cols-1 row-cols-sm-2 row-cols-lg-4 g-2 align-items-end"
        self.helper.disable_csrf = True
        self.helper.add_input(Submit("", _("Filter")))


class PupilFilter(django_filters.FilterSet):
    """Expects a queryset annotated with ``has_open_loan`` (see views.pupil_list)."""

    q = django_filters.CharFilter(label=_("Name or pupil number"), method="search")
    class_name = django_filters.ChoiceFilter(label=_("Class"), empty_label=_("All classes"))
    grade = django_filters.ChoiceFilter(
        label=_("Grade"), choices=[(g, str(g)) for g in range(1, 8)], empty_label=_("All grades")
    )
    needs_device = django_filters.ChoiceFilter(
        label=_("Needs a device"), choices=YES_NO, empty_label=_("All"), method="yes_no"
    )
    open_loan = django_filters.ChoiceFilter(
        label=_("Has a device on loan"), choices=YES_NO, empty_label=_("All"), method="yes_no"
    )
    status = django_filters.ChoiceFilter(
        label=_("At school"),
        choices=[("left", _("Left the school")), ("all", _("Everyone"))],
        empty_label=_("Still at school"),
        method="by_status",
    )

    class Meta:
        model = Pupil
        fields = []
        form = PupilFilterForm

    def __init__(self, *args, classes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["class_name"].extra["choices"] = [(name, name) for name in classes]

    def filter_queryset(self, queryset):
        # Pupils who left are hidden unless asked for; an empty choice runs no filter method.
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.filter(active=True)
        return super().filter_queryset(queryset)

    def search(self, queryset, name, value):
        for word in value.split()[:5]:
            queryset = queryset.filter(
                Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(internal_number__icontains=word)
            )
        return queryset

    def yes_no(self, queryset, name, value):
        field = {"needs_device": "needs_device", "open_loan": "has_open_loan"}[name]
        return queryset.filter(**{field: value == "yes"})

    def by_status(self, queryset, name, value):
        return queryset.filter(active=False) if value == "left" else queryset
