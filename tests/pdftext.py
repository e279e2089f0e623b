"""Read a real PDF back as text with poppler's pdftotext (installed by .ci/run)."""
import shutil
import subprocess
from pathlib import Path

import pytest


def pdf_text(pdf: bytes | str | Path) -> str:
    """The PDF's text with runs of white space collapsed, so phrases can be searched across lines."""
    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils (pdftotext) is not installed")
    source, data = ("-", pdf) if isinstance(pdf, bytes) else (str(pdf), None)
    result = subprocess.run(["pdftotext", "-layout", source, "-"], input=data, capture_output=True, check=True)
    return " ".join(result.stdout.decode("utf-8").split())
