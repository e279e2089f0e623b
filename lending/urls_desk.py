"""URLs of the desk pages (see lending/urls.py)."""
from django.urls import path

from . import views_desk as views
from . import views_year

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
    path("leavers/", views_year.desk_leavers, name="desk_leavers"),
    path("loans/<int:loan_id>/hand-over/", views_year.loan_hand_over, name="loan_hand_over"),
    path("transfers/", views_year.desk_transfers, name="desk_transfers"),
    path("transfers/<int:transfer_id>/accept/", views_year.transfer_accept, name="transfer_accept"),
    path("transfers/<int:transfer_id>/decline/", views_year.transfer_decline, name="transfer_decline"),
    path("stocktake/", views_year.stocktake_list, name="stocktake_list"),
    path("stocktake/<int:stocktake_id>/", views_year.stocktake_detail, name="stocktake_detail"),
    path("stocktake/<int:stocktake_id>/close/", views_year.stocktake_close, name="stocktake_close"),
    path("stocktake/devices/", views_year.stocktake_devices, name="stocktake_devices"),
]
