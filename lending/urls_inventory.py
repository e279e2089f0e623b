"""URLs of the inventory pages (see lending/urls.py)."""
from django.urls import path

from . import views_device_import
from . import views_inventory as views

urlpatterns = [
    path("", views.device_list, name="device_list"),
    path("new/", views.device_create, name="device_create"),
    path("import/", views_device_import.device_import, name="device_import"),
    path("import/columns/", views_device_import.device_import_columns, name="device_import_columns"),
    path("import/check/", views_device_import.device_import_check, name="device_import_check"),
    path("labels.pdf", views.device_labels, name="device_labels"),
    path("<int:device_id>/", views.device_detail, name="device_detail"),
    path("<int:device_id>/edit/", views.device_edit, name="device_edit"),
]
