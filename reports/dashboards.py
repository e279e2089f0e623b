from datetime import timedelta

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from households.models import Pupil
from lending.models import Agreement, Device, Loan, Repair
from portal.models import School


def school_dashboard(school: School) -> dict:
    """The coordinator's counts in five aggregate queries, whatever the school's size."""
    today = timezone.localdate()
    by_status = dict(
        Device.objects.filter(school=school).values_list("status").annotate(n=Count("id")).order_by()
    )
    loans = Loan.objects.filter(device__school=school, status=Loan.Status.ACTIVE).aggregate(
        open=Count("id"), overdue=Count("id", filter=Q(due_on__lt=today))
    )
    unsigned = Agreement.objects.filter(
        loan__device__school=school, loan__status=Loan.Status.ACTIVE, status__in=Agreement.UNSIGNED_STATUSES
    ).count()
    has_open_loan = Loan.objects.filter(pupil=OuterRef("pk"), status=Loan.Status.ACTIVE)
    flagged = Pupil.objects.filter(school=school, active=True, needs_device=True).aggregate(
        total=Count("id"), waiting=Count("id", filter=~Q(Exists(has_open_loan)))
    )
    repairs_too_long = Repair.objects.filter(
        device__school=school, returned_at__isnull=True,
        sent_at__lt=timezone.now() - timedelta(days=school.repair_too_long_days),
    ).count()
    devices = [
        {"status": status, "label": label, "count": by_status.get(status, 0)}
        for status, label in Device.Status.choices
    ]
    return {
        "devices_by_status": devices,
        "devices_total": sum(by_status.values()),
        "open_loans": loans["open"],
        "overdue_loans": loans["overdue"],
        "unsigned_agreements": unsigned,
        "pupils_flagged": flagged["total"],
        "pupils_waiting": flagged["waiting"],
        "repairs_too_long": repairs_too_long,
    }

