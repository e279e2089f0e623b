"""Catalogs are complete for the staff UI in Dutch, and the committed .mo files match the .po files."""
import gettext
import shutil
import subprocess
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parent.parent / "locale"


def _entries(po_path):
    """(msgid, msgstr, fuzzy) for every entry but the header; enough of the format for this check."""
    entries, block = [], []
    for line in po_path.read_text(encoding="utf-8").split("\n") + [""]:
        if line.startswith("#|"):
            continue  # the previous msgid of a fuzzy entry, not this entry's
        if line.strip():
            block.append(line)
            continue
        text = "\n".join(block)
        block = []
        if "msgid" not in text or text.startswith("#~"):
            continue
        msgid = text.split("msgid ", 1)[1].split("\nmsg", 1)[0]
        translations = [part.split("\n#", 1)[0] for part in text.split("msgstr")[1:]]
        if msgid.strip() != '""':
            entries.append((msgid, translations, "#, fuzzy" in text or ", fuzzy" in text))
    return entries


def test_every_dutch_string_is_translated():
    untranslated = [
        msgid for msgid, translations, fuzzy in _entries(LOCALE / "nl/LC_MESSAGES/django.po")
        if fuzzy or any(t.strip().lstrip("[01]").strip() in ('""', '') for t in translations)
    ]
    assert untranslated == []


@pytest.mark.parametrize("language", sorted(p.name for p in LOCALE.iterdir() if p.is_dir()))
def test_compiled_catalog_matches_its_source(language, tmp_path):
    if not shutil.which("msgfmt"):
        pytest.skip("gettext's msgfmt is not installed")
    source = LOCALE / language / "LC_MESSAGES/django.po"
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check", "-o", fresh, source], check=True)
    with open(fresh, "rb") as new, open(source.with_suffix(".mo"), "rb") as committed:
        assert gettext.GNUTranslations(committed)._catalog == gettext.GNUTranslations(new)._catalog, (
            f"locale/{language}: run `make messages` and commit the .mo file"
        )
