"""Text messages through the provider named by one setting, ``SMS_URL``.

- ``twilio://ACCOUNT_SID:AUTH_TOKEN@?from=%2B32460000000`` (or ``?service=MG...``, a Messaging
  Service): Twilio's Programmable Messaging REST API (POST .../Accounts/{sid}/Messages.json, HTTP
  basic auth, status callbacks signed with X-Twilio-Signature). ``api_url=`` points it elsewhere
  (the tests' local stub).
- ``json+https://TOKEN@gateway.example.be/v1/sms?from=School``: a generic HTTP JSON gateway, the
  shape most Belgian and European gateways offer: POST {"to", "from", "text", "reference",
  "callback_url"} with ``Authorization: Bearer TOKEN``; a 2xx answer carries {"id", "status"}.
  Delivery receipts come back as JSON {"id", "status"} signed with a hex HMAC-SHA256 of the body
  in ``X-Signature`` (key: ``SMS_WEBHOOK_SECRET``).
- ``log://``: development; writes that a text would leave (never the text: it may carry a link
  token), and reports it as *not sent*.
- ``locmem://``: tests; keeps the texts in ``outbox`` and reports them accepted.

A provider's answer is the only proof a text left: ``send`` returns what the provider said, raises
``SmsRefused`` when it refused for good (a bad number, a blocked account), ``SmsUnavailable``
(an OSError, so tasks retry it) when it could not be reached, and ``SmsUnconfirmed`` when the
request went out but no answer came (it may have arrived, so it is never sent again).
"""
import base64
import hashlib
import hmac
import logging
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .http import retrying_session

logger = logging.getLogger(__name__)

TIMEOUT = (5, 15)  # seconds to connect, seconds to wait for the answer
outbox: list[tuple[str, str]] = []  # (to, text) of the locmem backend, like django.core.mail.outbox

ACCEPTED, DELIVERED, FAILED, LOGGED = "accepted", "delivered", "failed", "logged"
# The providers' own words, mapped to the few a coordinator needs.
PROVIDER_STATUS = {
    "queued": ACCEPTED, "accepted": ACCEPTED, "scheduled": ACCEPTED, "sending": ACCEPTED, "sent": ACCEPTED,
    "buffered": ACCEPTED, "delivered": DELIVERED, "read": DELIVERED,
    "undelivered": FAILED, "failed": FAILED, "rejected": FAILED, "expired": FAILED, "canceled": FAILED,
}


class SmsRefused(Exception):
    """The provider refused this text for good; sending it again would not help."""


class SmsUnavailable(OSError):
    """The provider could not be reached or asked us to come back later: nothing left."""


class SmsUnconfirmed(Exception):
    """The request reached the provider but no answer came: the text may have left; never resent."""


@dataclass
class SmsResult:
    provider: str
    provider_id: str
    status: str  # ACCEPTED, DELIVERED or LOGGED


def _post(url: str, **kwargs) -> requests.Response:
    try:
        response = retrying_session(busy_statuses=(429, 503)).post(url, timeout=TIMEOUT, **kwargs)
    except requests.ConnectionError as error:  # ConnectTimeout too: nothing reached the provider
        raise SmsUnavailable(f"SMS provider unreachable: {type(error).__name__}") from None
    except requests.Timeout:
        raise SmsUnconfirmed("SMS provider did not answer in time") from None
    if response.status_code in (429,) or response.status_code >= 500:
        raise SmsUnavailable(f"SMS provider answered {response.status_code}")
    return response


def _json(response: requests.Response) -> dict:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def status_callback_url(provider: str) -> str:
    base = settings.PUBLIC_URL.rstrip("/")
    return f"{base}/hooks/sms/{provider}/" if base else ""


class LogBackend:
    name = "log"

    def send(self, to: str, text: str, reference: str = "") -> SmsResult:
        logger.info("SMS to ...%s (%d characters) written to the log only: not sent", to[-3:], len(text))
        return SmsResult(provider=self.name, provider_id="", status=LOGGED)


class LocmemBackend:
    name = "locmem"

    def send(self, to: str, text: str, reference: str = "") -> SmsResult:
        outbox.append((to, text))
        return SmsResult(provider=self.name, provider_id=f"locmem-{len(outbox)}", status=ACCEPTED)


class TwilioBackend:
    """Twilio Programmable Messaging, as documented (API version 2010-04-01)."""

    name = "twilio"

    def __init__(self, account_sid: str, auth_token: str, sender: str = "", service: str = "",
                 api_url: str = "https://api.twilio.com"):
        if not account_sid or not auth_token or not (sender or service):
            raise ImproperlyConfigured("SMS_URL twilio:// needs ACCOUNT_SID:AUTH_TOKEN and ?from= or ?service=")
        self.account_sid, self.auth_token = account_sid, auth_token
        self.sender, self.service, self.api_url = sender, service, api_url.rstrip("/")

    def send(self, to: str, text: str, reference: str = "") -> SmsResult:
        form = {"To": to, "Body": text}
        form.update({"MessagingServiceSid": self.service} if self.service else {"From": self.sender})
        if callback := status_callback_url(self.name):
            form["StatusCallback"] = callback
        response = _post(f"{self.api_url}/2010-04-01/Accounts/{self.account_sid}/Messages.json", data=form,
                         auth=(self.account_sid, self.auth_token))
        data = _json(response)
        if response.status_code not in (200, 201) or not data.get("sid"):
            raise SmsRefused(f"Twilio refused the text: {data.get('code', response.status_code)} {data.get('message', '')}")
        return SmsResult(provider=self.name, provider_id=data["sid"],
                         status=PROVIDER_STATUS.get(data.get("status", ""), ACCEPTED))

    def signature(self, url: str, params: dict[str, str]) -> str:
        """X-Twilio-Signature: base64 HMAC-SHA1 of the full URL followed by every POST parameter's
        name and value, sorted by name."""
        payload = url + "".join(key + params[key] for key in sorted(params))
        digest = hmac.new(self.auth_token.encode(), payload.encode(), hashlib.sha1).digest()
        return base64.b64encode(digest).decode()


class JsonGatewayBackend:
    """A generic HTTP JSON gateway (see the module's documentation for the contract)."""

    name = "json"

    def __init__(self, url: str, token: str, sender: str = ""):
        self.url, self.token, self.sender = url, token, sender

    def send(self, to: str, text: str, reference: str = "") -> SmsResult:
        body = {"to": to, "from": self.sender, "text": text, "reference": reference}
        if callback := status_callback_url(self.name):
            body["callback_url"] = callback
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        response = _post(self.url, json=body, headers=headers)
        data = _json(response)
        provider_id = str(data.get("id") or data.get("message_id") or "")
        if not 200 <= response.status_code < 300 or not provider_id:
            raise SmsRefused(f"The SMS gateway refused the text: {response.status_code} {data.get('error', '')}")
        return SmsResult(provider=self.name, provider_id=provider_id,
                         status=PROVIDER_STATUS.get(str(data.get("status", "")).lower(), ACCEPTED))


def json_signature(body: bytes) -> str:
    return hmac.new(settings.SMS_WEBHOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()


def backend_from_url(url: str):
    parts = urlsplit(url)
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    if parts.scheme == "log":
        return LogBackend()
    if parts.scheme == "locmem":
        return LocmemBackend()
    if parts.scheme == "twilio":
        return TwilioBackend(unquote(parts.username or ""), unquote(parts.password or ""), sender=query.get("from", ""),
                             service=query.get("service", ""), api_url=query.get("api_url", "https://api.twilio.com"))
    if parts.scheme in ("json+https", "json+http"):
        scheme = parts.scheme.split("+", 1)[1]
        host = parts.hostname + (f":{parts.port}" if parts.port else "")
        return JsonGatewayBackend(f"{scheme}://{host}{parts.path}", unquote(parts.username or ""),
                                  sender=query.get("from", ""))
    raise ImproperlyConfigured(f"SMS_URL: unknown scheme {parts.scheme!r} (twilio, json+https, log, locmem)")


def get_backend():
    return backend_from_url(settings.SMS_URL)


def is_real(url: str) -> bool:
    """A backend that hands texts to a provider (log and locmem do not)."""
    return urlsplit(url).scheme not in ("log", "locmem", "")


def send_sms(to: str, text: str, reference: str = "") -> SmsResult:
    return get_backend().send(to, text, reference)
