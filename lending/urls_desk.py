"""URLs of the desk pages (see lending/urls.py)."""
from django.urls import path

from . import views_desk as views

urlpatterns = [
    path("", views.desk_checkout, name="desk_checkout"),
    path("borrowers/", views.desk_borrower_search, name="desk_borrower_search"),
    path("handout/", views.desk_handout, name="desk_handout"),
    path("checkin/", views.desk_checkin, name="desk_checkin"),
    path("devices/<int:device_id>/incident/", views.incident_create, name="incident_create"),
    path("loans/<int:loan_id>/incident/", views.incident_create_for_loan, name="incident_create_for_loan"),
    path("loans/<int:loan_id>/leaver/", views.desk_leaver, name="desk_leaver"),
    path("loans/<int:loan_id>/receipt.pdf", views.return_receipt_pdf, name="return_receipt_pdf"),
    path("devices/<int:device_id>/repair/", views.repair_send, name="repair_send"),
    path("repairs/", views.desk_repairs, name="desk_repairs"),
    path("repairs/<int:repair_id>/back/", views.repair_back, name="repair_back"),
    path("year-end/", views.desk_year_end, name="desk_year_end"),
]
