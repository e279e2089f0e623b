"""URLs of the inventory pages (see lending/urls.py)."""
from django.urls import path  # noqa: F401

urlpatterns = []
