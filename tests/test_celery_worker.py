"""A real Celery worker on a real Redis delivers the password-reset mail."""
import pytest
from django.urls import reverse

from .conftest import wait_for

pytestmark = pytest.mark.worker


def test_password_reset_mail_is_sent_by_the_worker(celery_worker, coordinator_a, client):
    response = client.post(reverse("password_reset"), {"email": coordinator_a.email})
    assert response.status_code == 302

    def reset_mail():
        # The worker's mail folder is shared by the session's worker tests: find this test's message.
        messages = [path.read_text() for path in celery_worker.mail_dir.glob("*.log")]
        return [text for text in messages if f"To: {coordinator_a.email}" in text]

    sent = wait_for(reset_mail, timeout=30)
    assert sent, "the worker wrote no mail within 30 s"
    message = sent[0]
    assert "/accounts/reset/" in message


def test_unknown_address_sends_nothing_and_says_the_same(celery_worker, client):
    response = client.post(reverse("password_reset"), {"email": "nobody@nowhere.test"}, follow=True)
    assert response.status_code == 200
    # The page is identical either way, so the form does not reveal who has an account.
    assert response.redirect_chain[-1][0] == reverse("password_reset_done")
