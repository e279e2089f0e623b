"""The content security policy: sent on every page, and no template needs inline script or style."""
import re
from pathlib import Path

import pytest

from ..test_access import _fill, portal_urls, world_b  # noqa: F401  (world_b is a fixture)

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
# WeasyPrint renders these to PDF on the server; no browser ever loads them as a page.
PDF_ONLY = TEMPLATES / "pdf"

INLINE = {
    "inline <script>": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),
    "<style> element": re.compile(r"<style\b", re.I),
    "style= attribute": re.compile(r"\sstyle\s*=", re.I),
    "on...= handler": re.compile(r"\son[a-z]+\s*=", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
}


def policy(response):
    header = response.get("Content-Security-Policy", "")
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def assert_strict(response, url):
    directives = policy(response)
    assert directives.get("default-src") == ["'self'"], f"{url}: {response.get('Content-Security-Policy')!r}"
    for directive in ("script-src", "style-src"):
        assert "'unsafe-inline'" not in directives.get(directive, []), url
        assert "'unsafe-eval'" not in directives.get(directive, []), url
    assert directives.get("object-src") == ["'none'"] and directives.get("frame-ancestors") == ["'none'"]


@pytest.mark.django_db
def test_every_page_sends_the_policy(director_a, school_a, world_b, client):
    # Anonymous: login, the parents' pages, redirects.
    for url in ("/accounts/login/", "/accounts/password-reset/", "/s/not-a-token/", "/q/not-a-token/", "/school/"):
        assert_strict(client.get(url), url)
    client.force_login(director_a)
    # Other school's ids: the 404 pages must carry the policy too.
    for _name, route, converters in portal_urls():
        url = _fill(route, converters, world_b)
        assert_strict(client.get(url), url)
    assert_strict(client.get("/accounts/two-step/"), "two-step")


@pytest.mark.django_db
def test_the_admin_sends_the_policy(admin_user, client):
    client.force_login(admin_user)
    for url in ("/admin/", "/admin/portal/auditevent/", "/admin/lending/device/add/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_strict(response, url)


def test_no_template_has_inline_script_style_or_handlers():
    problems = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        if PDF_ONLY in path.parents:
            continue
        text = path.read_text()
        for what, pattern in INLINE.items():
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                problems.append(f"{path.relative_to(TEMPLATES)}:{line}: {what}")
    assert not problems, "Move these to static/js or static/css (the CSP blocks them):\n" + "\n".join(problems)


def test_the_check_finds_inline_code():
    """The patterns above do catch what they are meant to catch."""
    sample = '<style>p {}</style><script>alert(1)</script><p style="x" onclick="y"><a href="javascript:z">'
    assert all(pattern.search(sample) for pattern in INLINE.values())
    assert not INLINE["inline <script>"].search('<script src="/static/js/desk.js"></script>')
