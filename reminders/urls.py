"""URLs of the reminder pages (mounted at reminders/ in config/urls.py)."""
from django.urls import path

from . import views

urlpatterns = [
    path("", views.reminder_list, name="reminder_list"),
    path("texts/", views.reminder_previews, name="reminder_previews"),
    path("letters/", views.reminder_letters_page, name="reminder_letters"),
    path("letters/make/", views.reminder_letters_make, name="reminder_letters_make"),
    path("letters/handed-out/", views.reminder_letters_handed_out, name="reminder_letters_handed_out"),
]
