"""URLs of the pupil and household pages (mounted at /pupils/)."""
from django.urls import path

from . import views

urlpatterns = [
    path("", views.pupil_list, name="pupil_list"),
    path("<int:pupil_id>/", views.pupil_detail, name="pupil_detail"),
    path("import/", views.pupil_import, name="pupil_import"),
    path("import/columns/", views.pupil_import_columns, name="pupil_import_columns"),
    path("import/confirm/", views.pupil_import_confirm, name="pupil_import_confirm"),
]
