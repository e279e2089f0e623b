"""Report pages: the school's dashboard and report, the LOP overview and report, the Flanders view.

Every report page downloads exactly its own tables with ?format=csv or ?format=xlsx (and the same
?year=).
"""
from django.urls import path

from . import views, views_dashboards

school_patterns = [
    path("", views_dashboards.school_dashboard, name="school_dashboard"),
]
lop_patterns = [
    path("", views_dashboards.lop_overview, name="lop_overview"),
    path("<int:lop_id>/", views.lop_report, name="lop_detail"),
]
urlpatterns = [
    path("flanders/", views.flanders_report, name="report_flanders"),
    path("school/", views.school_report, name="report_school"),
]
