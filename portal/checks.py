"""A deploy check: production must reach families for real, by SMS and by e-mail."""
from django.conf import settings
from django.core.checks import Error, Tags, register

from . import sms

NOT_SENDING_MAIL = {
    "django.core.mail.backends.console.EmailBackend", "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend", "django.core.mail.backends.dummy.EmailBackend",
}


@register(Tags.security, deploy=True)
def real_message_backends(app_configs, **kwargs):
    errors = []
    if not sms.is_real(settings.SMS_URL):
        errors.append(Error(
            f"SMS_URL is {settings.SMS_URL.split(':', 1)[0]}://: text messages to families would go nowhere.",
            hint="Set SMS_URL to a provider, e.g. twilio://SID:TOKEN@?from=%2B32... or json+https://TOKEN@gateway/path.",
            id="portal.E001"))
    if settings.EMAIL_BACKEND in NOT_SENDING_MAIL:
        errors.append(Error(
            "EMAIL_URL does not send mail (console, file, memory or dummy).",
            hint="Set EMAIL_URL to brevo://API_KEY@, mailjet://KEY:SECRET@ or smtp+tls://user:pass@host:587.",
            id="portal.E002"))
    return errors
