import pytest
from django.urls import reverse

from .factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "persona, landing",
    [("coordinator_a", "/school/"), ("director_a", "/school/"), ("lop_staff_a", "/lop/"), ("admin_user", "/admin/")],
)
def test_login_with_email_lands_on_the_page_of_the_role(persona, landing, request, client):
    user = request.getfixturevalue(persona)
    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"] == landing


def test_wrong_password_is_refused_with_a_message(coordinator_a, client):
    response = client.post(reverse("login"), {"username": coordinator_a.email, "password": "nope-nope-nope"})
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated
    assert "correct" in response.content.decode().lower() or "juiste" in response.content.decode().lower()


def test_lop_staff_land_on_their_lop_report(lop_staff_a, lop_a, client):
    client.force_login(lop_staff_a)
    response = client.get("/lop/", follow=True)
    assert response.redirect_chain[-1][0] == f"/lop/{lop_a.pk}/"
    assert lop_a.name in response.content.decode()


def test_staff_interface_is_dutch_by_default_and_english_on_request(coordinator_a, client):
    client.force_login(coordinator_a)
    dutch = client.get("/school/", HTTP_ACCEPT_LANGUAGE="en")
    assert dutch["Content-Language"] == "nl"
    assert "Afmelden" in dutch.content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/school/"})
    english = client.get("/school/")
    assert english["Content-Language"] == "en"
    assert "Log out" in english.content.decode()


def test_a_user_without_role_gets_a_clear_page(client):
    from .factories import UserFactory

    client.force_login(UserFactory())
    response = client.get("/")
    assert response.status_code == 403
    assert "rol" in response.content.decode().lower()


def test_healthz_answers_without_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
