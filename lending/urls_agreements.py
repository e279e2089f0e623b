"""URLs of the agreements pages (see lending/urls.py)."""
from django.urls import path

from . import views_agreements as views

urlpatterns = [
    path("", views.agreement_list, name="agreement_list"),
    path("terms/", views.terms_edit, name="terms_edit"),
    path("<int:agreement_id>/", views.agreement_detail, name="agreement_detail"),
    path("<int:agreement_id>/pdf/", views.agreement_pdf, name="agreement_pdf"),
    path("<int:agreement_id>/signed.pdf", views.agreement_signed_pdf, name="agreement_signed_pdf"),
    path("<int:agreement_id>/scan/", views.agreement_scan, name="agreement_scan"),
    path("<int:agreement_id>/send/", views.agreement_send, name="agreement_send"),
    path("<int:agreement_id>/letter/", views.agreement_letter, name="agreement_letter"),
    path("<int:agreement_id>/regenerate/", views.agreement_regenerate, name="agreement_regenerate"),
    path("<int:agreement_id>/desk/", views.agreement_desk_sign, name="agreement_desk_sign"),
    path("<int:agreement_id>/paper/", views.agreement_paper_upload, name="agreement_paper_upload"),
]
