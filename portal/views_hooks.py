"""What providers post back about messages: SMS delivery receipts (signature-checked).

E-mail bounces and complaints come through django-anymail's own tracking webhooks; its signal is
received in portal.receipts. A receipt never says which family it is about: it names the
provider's message id, which the Message row holds.
"""
import hmac
import json

from django.conf import settings
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import messages, sms


def _twilio(request):
    backend = sms.get_backend()
    if not isinstance(backend, sms.TwilioBackend):
        return None
    params = {key: request.POST[key] for key in request.POST}
    expected = backend.signature(sms.status_callback_url("twilio"), params)
    if not hmac.compare_digest(expected, request.headers.get("X-Twilio-Signature", "")):
        return None
    return params.get("MessageSid", ""), params.get("MessageStatus", ""), params.get("ErrorCode", "")


def _json_gateway(request):
    if not isinstance(sms.get_backend(), sms.JsonGatewayBackend) or not settings.SMS_WEBHOOK_SECRET:
        return None
    if not hmac.compare_digest(sms.json_signature(request.body), request.headers.get("X-Signature", "")):
        return None
    try:
        data = json.loads(request.body)
    except ValueError:
        return "", "", ""
    return str(data.get("id", "")), str(data.get("status", "")), str(data.get("error", ""))


RECEIPTS = {"twilio": _twilio, "json": _json_gateway}


@csrf_exempt
@require_POST
def sms_status(request, provider: str):
    reader = RECEIPTS.get(provider)
    if reader is None:
        return HttpResponseBadRequest()
    receipt = reader(request)
    if receipt is None:
        return HttpResponseForbidden()
    provider_id, provider_status, error = receipt
    status = sms.PROVIDER_STATUS.get(provider_status.lower())
    if not provider_id or status is None:
        return HttpResponseBadRequest()
    messages.record_status(provider=provider, provider_id=provider_id, status=status, error=error)
    return HttpResponse(status=204)
