"""Bidi isolation for what is interpolated into family texts: a Latin name, a phone number, an
e-mail address or a code inside Arabic text would otherwise be reordered ("67 45 123 09").

- ``bdi`` (HTML): the value in <bdi> (and isolate marks), so its direction never leaks into the
  sentence around it;
- ``ltr`` (HTML): numbers, codes and addresses in <bdi dir="ltr"> (and left-to-right isolate
  marks), always left to right;
- ``isolate`` (plain text: e-mail, SMS, Smartschool): Unicode first-strong isolate marks around
  the value, only in a right-to-left language (they would cost an SMS its GSM alphabet elsewhere).
"""
from django import template
from django.utils import translation
from django.utils.html import format_html

register = template.Library()

FSI, LRI, PDI, NBSP = "\u2068", "\u2066", "\u2069", "\u00a0"


# The Unicode isolates go inside the element too: WeasyPrint (the PDFs) ignores <bdi> and CSS
# isolation, while Pango's bidi algorithm honours the marks; browsers read both.
@register.filter
def bdi(value):
    return format_html("<bdi>{}{}{}</bdi>", FSI, value, PDI) if value not in (None, "") else ""


@register.filter
def ltr(value):
    """No-break spaces too: WeasyPrint lays a line out word by word and orders the words itself,
    so "09 123 45 67" must be one word to stay in order inside Arabic."""
    if value in (None, ""):
        return ""
    return format_html('<bdi dir="ltr">{}{}{}</bdi>', LRI, str(value).replace(" ", NBSP), PDI)


@register.filter
def isolate(value, kind=""):
    if value in (None, "") or not translation.get_language_bidi():
        return value
    return f"{LRI if kind == 'ltr' else FSI}{value}{PDI}"
