"""URLs of the desk pages (see lending/urls.py)."""
from django.urls import path  # noqa: F401

urlpatterns = []
