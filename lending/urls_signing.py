"""URLs of the signing pages (see lending/urls.py). Parents have no account: the token is the key."""
from django.urls import path

from . import views_signing as views

urlpatterns = [
    path("<str:token>/", views.public_sign, name="public_sign"),
    path("<str:token>/signed.pdf", views.public_signed_pdf, name="public_signed_pdf"),
]
