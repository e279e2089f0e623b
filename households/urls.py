"""URLs of the pupil and household pages."""
from django.urls import path  # noqa: F401

urlpatterns = []
