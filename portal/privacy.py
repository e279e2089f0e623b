"""Where a parent reads what the school keeps about them: the address printed on letters."""
from urllib.parse import urlencode

from django.urls import reverse

# The privacy page is written in these (templates/public/privacy/<code>.html), the same family languages
# as the agreement and the reminders; a family reading any other language gets the English one.
LANGUAGES = [
    ("nl", "Nederlands"), ("fr", "Français"), ("en", "English"),
    ("tr", "Türkçe"), ("pl", "Polski"), ("ro", "Română"), ("uk", "Українська"), ("ar", "العربية"),
]


def page_language(language: str | None) -> str:
    return language if language in dict(LANGUAGES) else "en"


def privacy_url(base_url: str, *, language: str | None = None, school_id: int | None = None) -> str:
    query = {"lang": page_language(language)}
    if school_id:
        query["school"] = school_id
    return base_url.rstrip("/") + reverse("public_privacy") + "?" + urlencode(query)
