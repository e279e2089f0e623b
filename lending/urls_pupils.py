"""The pupil list and a pupil's page: they show each pupil's loans (mounted at /pupils/)."""
from django.urls import path

from . import views_pupils as views
from . import views_year

urlpatterns = [
    path("", views.pupil_list, name="pupil_list"),
    path("<int:pupil_id>/", views.pupil_detail, name="pupil_detail"),
    path("<int:pupil_id>/left/", views_year.pupil_left, name="pupil_left"),
]
