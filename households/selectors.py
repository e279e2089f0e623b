"""Reads used by several pages and by the reports."""
from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce

from . import codes as code_rules
from .models import InternetCode


def internet_code_counts(school_ids) -> dict[int, dict]:
    """Per school: codes imported, available, issued, activated and the activation rate (0-1 or None).

    One query, whatever the number of schools. Schools without codes are absent from the result.
    """
    rows = (
        InternetCode.objects.filter(school_id__in=list(school_ids))
        .values("school_id")
        .annotate(
            total=Count("pk"),
            issued=Count("pk", filter=Q(issued_at__isnull=False)),
            activated=Count("pk", filter=Q(activated_at__isnull=False)),
        )
        .order_by()
    )
    result = {}
    for row in rows:
        issued, activated = row["issued"], row["activated"]
        result[row["school_id"]] = {
            "total": row["total"],
            "available": row["total"] - issued,
            "issued": issued,
            "activated": activated,
            "activation_rate": (activated / issued) if issued else None,
        }
    return result


def codes_needing_attention(queryset):
    """Handed-out codes that expire within 14 days, or were never activated 14 days after hand-out."""
    today, soon, handed_before = code_rules.attention_window()
    return (
        queryset.filter(issued_at__isnull=False)
        .annotate(expires=Coalesce(F("extended_until"), F("valid_until")))
        .filter(Q(expires__gte=today, expires__lte=soon) | Q(activated_at__isnull=True, issued_at__lte=handed_before))
        .select_related("household")
        .order_by("expires", "pk")
    )
