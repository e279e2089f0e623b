"""The roster import (mounted at /pupils/; the pupil list and page, which show loans, are lending's)."""
from django.urls import path

from . import views

urlpatterns = [
    path("import/", views.pupil_import, name="pupil_import"),
    path("import/columns/", views.pupil_import_columns, name="pupil_import_columns"),
    path("import/confirm/", views.pupil_import_confirm, name="pupil_import_confirm"),
]
