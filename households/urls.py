"""The pupil list import (mounted at /pupils/; the pupil list and page, which show loans, are lending's)."""
from django.urls import path

from . import views, views_pupils

urlpatterns = [
    path("new/", views_pupils.pupil_create_view, name="pupil_create"),
    path("<int:pupil_id>/needs/", views_pupils.pupil_needs, name="pupil_needs"),
    path("import/", views.pupil_import, name="pupil_import"),
    path("import/columns/", views.pupil_import_columns, name="pupil_import_columns"),
    path("import/smartschool/", views.pupil_import_smartschool, name="pupil_import_smartschool"),
    path("import/check/", views.pupil_import_check, name="pupil_import_check"),
    path("import/scope/", views.pupil_import_scope, name="pupil_import_scope"),
    path("import/classes/", views.pupil_import_classes, name="pupil_import_classes"),
    path("import/confirm/", views.pupil_import_confirm, name="pupil_import_confirm"),
]
