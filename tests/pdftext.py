"""Read a real PDF back as text with poppler's pdftotext (installed by .ci/run)."""
import shutil
import subprocess

import pytest


def pdf_text(pdf: bytes) -> str:
    """The PDF's text with runs of white space collapsed, so phrases can be searched across lines."""
    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils (pdftotext) is not installed")
    result = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True)
    return " ".join(result.stdout.decode("utf-8").split())
