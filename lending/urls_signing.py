"""URLs of the signing pages (see lending/urls.py)."""
from django.urls import path  # noqa: F401

urlpatterns = []
