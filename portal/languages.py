"""The languages a family can read the portal in, and the one rule for which one a family gets.

Every text a family sees (pages, messages, letters, agreements) is written in Dutch, the reference,
and translated into each of these. A household's language is its preferred language when it is one
of these, and Dutch otherwise: the school can always read Dutch to the family, and a partial
language would be worse than a whole one.
"""
from django.utils import translation

REFERENCE_LANGUAGE = "nl"

# The order is the order of the language menus on the families' pages.
FAMILY_LANGUAGES = [
    ("nl", "Nederlands"),
    ("fr", "Français"),
    ("en", "English"),
    ("ar", "العربية"),
    ("tr", "Türkçe"),
    ("pl", "Polski"),
    ("ro", "Română"),
    ("uk", "Українська"),
]
FAMILY_LANGUAGE_CODES = frozenset(code for code, _name in FAMILY_LANGUAGES)


def language_choices() -> list[tuple[str, str]]:
    """(code, name in its own language) for every family language, for menus and forms."""
    return list(FAMILY_LANGUAGES)


def family_language(code: str | None) -> str:
    """The language a family reads: ``code`` when the portal offers it, else the Dutch reference."""
    return code if code in FAMILY_LANGUAGE_CODES else REFERENCE_LANGUAGE


def household_language(household) -> str:
    """The language for everything sent to or printed for this household (None: Dutch)."""
    return family_language(getattr(household, "preferred_language", None))


def chosen_language(choice: str | None, preferred: str | None) -> str:
    """A family page in the language chosen in its menu (?lang=), else the family's own."""
    return choice if choice in FAMILY_LANGUAGE_CODES else family_language(preferred)


def _is_rtl(code: str) -> bool:
    return translation.get_language_info(code)["bidi"]


def text_direction(code: str) -> str:
    return "rtl" if _is_rtl(code) else "ltr"
