"""Coordinator pages for families, internet codes, the needs survey and support (mounted at /families/)."""
from django.urls import path

from . import views_codes as codes
from . import views_families as views
from . import views_survey as surveys

urlpatterns = [
    path("", views.household_list, name="household_list"),
    path("<int:household_id>/", views.household_detail, name="household_detail"),
    path("<int:household_id>/edit/", views.household_edit, name="household_edit"),
    path("<int:household_id>/guardians/add/", views.guardian_add, name="guardian_add"),
    path("guardians/<int:guardian_id>/edit/", views.guardian_edit, name="guardian_edit"),
    path("<int:household_id>/social-tariff/", views.household_social_tariff, name="household_social_tariff"),
    path("<int:household_id>/internet-code/", codes.code_hand_out, name="code_hand_out"),
    path("<int:household_id>/referrals/add/", views.referral_add, name="referral_add"),
    path("social-tariff/", views.social_tariff, name="social_tariff"),
    path("codes/", codes.code_list, name="code_list"),
    path("codes/import/", codes.code_import, name="code_import"),
    path("codes/activations/", codes.code_activation_import, name="code_activation_import"),
    path("codes/letters/", codes.code_letters, name="code_letters"),
    path("codes/<int:code_id>/", codes.code_detail, name="code_detail"),
    path("codes/<int:code_id>/letter.pdf", codes.code_letter, name="code_letter"),
    path("codes/<int:code_id>/send/", codes.code_send, name="code_send"),
    path("codes/<int:code_id>/activate/", codes.code_activate, name="code_activate"),
    path("codes/<int:code_id>/extend/", codes.code_extend, name="code_extend"),
    path("surveys/", surveys.survey_list, name="survey_list"),
    path("surveys/new/", surveys.survey_create, name="survey_create"),
    path("surveys/<int:survey_id>/", surveys.survey_detail, name="survey_detail"),
    path("surveys/<int:survey_id>/letters/", surveys.survey_letters, name="survey_letters"),
    path("surveys/answers/<int:invite_id>/", surveys.survey_record, name="survey_record"),
    path("referrals/<int:referral_id>/", views.referral_edit, name="referral_edit"),
    path("support/", views.support_directory, name="support_directory"),
    path("support/lop/<int:lop_id>/", views.support_organisations, name="support_organisations"),
]
