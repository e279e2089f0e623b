"""The school's documents page (mounted at school/documents/ in config/urls.py)."""
from django.urls import path

from . import views_documents as views

urlpatterns = [
    path("", views.document_list, name="document_list"),
    path("<int:job_id>/", views.document_detail, name="document_detail"),
    path("<int:job_id>/status/", views.document_status, name="document_status"),
    path("<int:job_id>/download/", views.document_download, name="document_download"),
]
