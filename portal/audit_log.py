"""The director's audit log: who changed what at their school, filtered and paged.

The page shows which fields changed, never their values: rows of internet codes or agreement
links may one day hold a code or a token, and a log page is no place to read them back.
"""
import django_filters
from django import forms
from django.apps import apps
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from .access import director_required, scoped
from .models import AuditEvent, User

PAGE_SIZE = 50


class AuditEventFilter(django_filters.FilterSet):
    actor = django_filters.ModelChoiceFilter(label=_("Person"), queryset=User.objects.none(), empty_label=_("Everyone"))
    action = django_filters.ChoiceFilter(label=_("Action"), choices=(), empty_label=_("All"))
    since = django_filters.DateFilter(
        label=_("From"), field_name="at", lookup_expr="date__gte", widget=forms.DateInput(attrs={"type": "date"})
    )
    until = django_filters.DateFilter(
        label=_("Until"), field_name="at", lookup_expr="date__lte", widget=forms.DateInput(attrs={"type": "date"})
    )

    class Meta:
        model = AuditEvent
        fields = ["actor", "action", "since", "until"]

    def __init__(self, *args, school_events, **kwargs):
        super().__init__(*args, queryset=school_events, **kwargs)
        # Only people and actions that occur in this school's log: nobody from elsewhere is listed.
        self.filters["actor"].queryset = User.objects.filter(
            pk__in=school_events.exclude(actor=None).values("actor")
        ).order_by("email")
        actions = school_events.order_by("action").values_list("action", flat=True).distinct()
        labels = dict(AuditEvent.Action.choices)
        self.filters["action"].extra["choices"] = sorted(((action, labels[action]) for action in actions),
                                                         key=lambda choice: str(choice[1]))


def object_kind(label: str) -> str:
    """'lending.loan' → 'uitlening' (the model's own name, translated); unknown labels as they are."""
    try:
        return str(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        return label


def changed_fields(event: AuditEvent) -> list[str]:
    before, after = event.before or {}, event.after or {}
    if not isinstance(before, dict) or not isinstance(after, dict):
        return []
    return sorted(key for key in set(before) | set(after) if before.get(key) != after.get(key))


@require_GET
@director_required
def audit_log(request):
    events = scoped(AuditEvent, request)
    event_filter = AuditEventFilter(request.GET or None, school_events=events)
    if not event_filter.is_bound:
        shown = events
    else:
        # A wrong filter value (a person from elsewhere, a bad date) shows nothing and says why.
        shown = event_filter.qs if event_filter.is_valid() else events.none()
    page = Paginator(shown.select_related("actor").order_by("-at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"event": event, "changed": changed_fields(event), "kind": object_kind(event.object_type),
             "action": event.get_action_display()}
            for event in page.object_list]
    return render(request, "portal/audit_log.html", {"filter": event_filter, "page": page, "rows": rows})
