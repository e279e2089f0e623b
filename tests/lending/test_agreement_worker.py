"""The PDF is rendered by a REAL Celery worker on Redis, queued after commit."""
import pytest
from django.urls import reverse

from lending.models import Agreement
from tests.pdftext import pdf_text

from ..conftest import wait_for
from .test_agreement_pdf import make_agreement

pytestmark = pytest.mark.worker


def test_regenerate_renders_the_pdf_on_the_real_worker(celery_worker, client_as, coordinator_a, school_a):
    agreement = make_agreement(school_a, language="fr")
    response = client_as(coordinator_a).post(reverse("agreement_regenerate", args=[agreement.pk]))
    assert response.status_code == 302

    def rendered():
        return Agreement.objects.filter(pk=agreement.pk).exclude(pdf="").first()

    done = wait_for(rendered, timeout=60)
    assert done, "the worker rendered no PDF within 60 s"
    text = pdf_text(done.pdf.path)
    assert "LAP-0042" in text and "Le texte néerlandais fait foi" in text
