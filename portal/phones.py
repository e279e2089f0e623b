"""Phone numbers as families write them ("0470 12 34 56", "+32 470...", "0032 470...") to E.164.

Belgium is the default region: a national number (starting with 0) is Belgian; any number with a
country code (+ or 00) keeps its own country. Only numbers that can receive a text are mobile.
"""
import phonenumbers

DEFAULT_REGION = "BE"


def to_e164(raw: str) -> str | None:
    """The number in E.164 ("+32470123456"), or None when it is not a valid number."""
    value = (raw or "").strip()
    if not value:
        return None
    if value.startswith("00"):
        value = "+" + value[2:]
    try:
        number = phonenumbers.parse(value, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def can_take_texts(e164: str) -> bool:
    """A mobile number (or one whose kind the numbering plan cannot tell, as in some countries)."""
    kind = phonenumbers.number_type(phonenumbers.parse(e164))
    return kind in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)
