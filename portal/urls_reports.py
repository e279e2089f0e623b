"""Report pages. Mounted at reports/ in portal/urls.py.

The LOP report is lop_detail (/lop/<lop_id>/). Every report page downloads exactly its own
tables with ?format=csv or ?format=xlsx (and the same ?year=).
"""
from django.urls import path

from . import views_reports as views

urlpatterns = [
    path("flanders/", views.flanders_report, name="report_flanders"),
    path("school/", views.school_report, name="report_school"),
]
