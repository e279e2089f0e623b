"""The invitation mail leaves from a REAL Celery worker on Redis, after commit; only then is it "sent"."""
import re

import pytest
from django.urls import reverse

from portal.models import Invitation

from ..conftest import wait_for

pytestmark = pytest.mark.worker


def test_the_worker_makes_the_link_and_sends_the_mail(celery_worker, client_as, director_a, client):
    response = client_as(director_a).post(reverse("school_people_invite"),
                                          {"email": "collega@school.test", "kind": "coordinator"})
    assert response.status_code == 302
    invitation = Invitation.objects.get()

    sent = wait_for(lambda: Invitation.objects.filter(pk=invitation.pk, sent_at__isnull=False).first(), timeout=60)
    assert sent, "the worker sent no invitation within 60 s"
    mails = list(celery_worker.mail_dir.iterdir())
    body = "\n".join(path.read_text() for path in mails)
    assert "To: collega@school.test" in body
    path = re.search(r"http://testserver(/invitation/[A-Za-z0-9_-]+/)", body).group(1)
    client.logout()
    assert client.get(path)["Location"] == reverse("invitation_accept")
