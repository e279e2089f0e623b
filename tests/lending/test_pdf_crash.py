"""A render killed after writing the PDF file but before saving the row leaves a file no row points
to; the rerun must take that name back, not write a second copy beside it."""
import pytest
from django.core.files.base import ContentFile

from lending import pdf
from tests.factories import AgreementFactory, LoanFactory


@pytest.mark.django_db
def test_rerun_after_a_crash_between_file_and_row_keeps_one_file(school_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    agreement = AgreementFactory(loan=LoanFactory(device__school=school_a))
    # What the crashed render left: the file, and a row that does not know it.
    name = agreement.pdf.field.generate_filename(agreement, f"agreement-{agreement.pk}.pdf")
    agreement.pdf.storage.save(name, ContentFile(b"%PDF-half"))
    assert agreement.pdf.name == ""

    pdf.store_agreement_pdf(pdf.load_for_render(agreement.pk))

    agreement.refresh_from_db()
    files = [path for path in tmp_path.rglob("*.pdf")]
    assert [path.name for path in files] == [f"agreement-{agreement.pk}.pdf"]
    assert agreement.pdf.name == name
    assert files[0].read_bytes().startswith(b"%PDF-1")


@pytest.mark.django_db
def test_the_sweep_queues_only_pdfs_that_should_exist_and_do_not(school_a, settings, tmp_path):
    from datetime import timedelta

    from django.utils import timezone

    from lending.models import Agreement
    from lending.tasks import render_missing_pdfs

    settings.MEDIA_ROOT = tmp_path
    old = timezone.now() - timedelta(minutes=20)

    def agreement(**fields):
        made = AgreementFactory(loan=LoanFactory(device__school=school_a))
        Agreement.objects.filter(pk=made.pk).update(created_at=old, **fields)
        return made.pk

    lost = agreement(status="sent")
    recent = AgreementFactory(loan=LoanFactory(device__school=school_a)).pk  # its task may still be queued
    ended = agreement(status="ended")
    signed = agreement(status="signed", signed_method="online", signed_at=old)
    paper = agreement(status="signed", signed_method="paper", signed_at=old)

    assert render_missing_pdfs() == 2  # eager in tests: rendered at once
    rows = {a.pk: a for a in Agreement.objects.all()}
    assert rows[lost].pdf and rows[signed].signed_pdf
    assert not rows[recent].pdf and not rows[ended].pdf and not rows[paper].signed_pdf
    assert render_missing_pdfs() == 0
