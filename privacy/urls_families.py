"""A family's data: the director's export and erasure (mounted at /families/ beside households)."""
from django.urls import path

from . import views_gdpr

urlpatterns = [
    path("<int:household_id>/export.json", views_gdpr.household_export, {"fmt": "json"}, name="household_export_json"),
    path("<int:household_id>/export.pdf", views_gdpr.household_export, {"fmt": "pdf"}, name="household_export_pdf"),
    path("<int:household_id>/erase/", views_gdpr.household_erase, name="household_erase"),
]
