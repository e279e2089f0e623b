"""E-mail providers' news, through django-anymail's tracking signal: delivered, bounced, complained.

A hard bounce, a complaint or a provider's refusal marks the address as failing: the household's
next message falls back to SMS, or to a letter on the coordinator's print list, and the
coordinator's digest says so.
"""
from anymail.signals import tracking
from django.dispatch import receiver

from . import messages
from .models import FailingAddress
from .models import Message as MessageRow

STATUS = {"delivered": MessageRow.Status.DELIVERED, "bounced": MessageRow.Status.BOUNCED,
          "complained": MessageRow.Status.BOUNCED, "rejected": MessageRow.Status.FAILED}
FAILING = {"bounced": FailingAddress.Reason.BOUNCED, "complained": FailingAddress.Reason.COMPLAINED,
           "rejected": FailingAddress.Reason.REFUSED}


@receiver(tracking, dispatch_uid="portal-email-tracking")
def email_tracking(sender, event, esp_name, **kwargs):
    if event.event_type not in STATUS or not event.message_id:
        return
    provider_id = str(event.message_id)
    messages.record_status(provider="email", provider_id=provider_id, status=STATUS[event.event_type],
                           error=(event.description or event.mta_response or "")[:300])
    if event.event_type in FAILING and event.recipient:
        row = MessageRow.objects.filter(provider="email", provider_id=provider_id).first()
        messages.mark_failing(channel=messages.EMAIL, address=event.recipient, reason=FAILING[event.event_type],
                              school_id=row.school_id if row else None, household_id=row.household_id if row else None)
