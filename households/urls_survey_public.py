"""The families' survey link (mounted at /q/). Parents have no account: the token is the key."""
from django.urls import path

from . import views_survey_public as views

urlpatterns = [
    path("<str:token>/", views.public_survey, name="public_survey"),
]
