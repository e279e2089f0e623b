from django.contrib import admin
from django.db import models

from .models import (
    Guardian,
    Household,
    InternetCode,
    Pupil,
    Referral,
    RosterImport,
    SupportOrganisation,
    Survey,
    SurveyAnswer,
    SurveyInvite,
)


class GuardianInline(admin.TabularInline):
    model = Guardian
    extra = 0


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    list_display = ["name", "school", "preferred_language", "contact_channel", "device_at_home", "internet_at_home",
                    "anonymised_at"]
    list_filter = ["preferred_language", "contact_channel", "device_at_home", "internet_at_home",
                   ("anonymised_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "school__name"]
    list_select_related = ["school"]
    inlines = [GuardianInline]


@admin.register(Guardian)
class GuardianAdmin(admin.ModelAdmin):
    list_display = ["name", "relation", "household"]
    list_filter = ["relation"]
    search_fields = ["name", "email", "phone", "household__name"]
    list_select_related = ["household"]


@admin.register(Pupil)
class PupilAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "class_name", "grade", "school", "active", "needs_device"]
    list_filter = ["active", "needs_device", "needs_internet", "grade", ("anonymised_at", admin.EmptyFieldListFilter)]
    search_fields = ["first_name", "last_name", "internal_number", "class_name"]
    list_select_related = ["school"]
    raw_id_fields = ["household"]


@admin.register(InternetCode)
class InternetCodeAdmin(admin.ModelAdmin):
    list_display = ["provider", "school", "valid_until", "household", "issued_at", "activated_at"]
    list_filter = ["provider", "valid_until"]
    search_fields = ["provider", "batch", "school__name"]
    list_select_related = ["school", "household"]
    raw_id_fields = ["household"]
    exclude = ["code"]  # a secret: handed out through the coordinator's page only


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ["title", "school", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["title", "school__name"]
    list_select_related = ["school"]


@admin.register(SurveyInvite)
class SurveyInviteAdmin(admin.ModelAdmin):
    list_display = ["survey", "household", "channel", "sent_at", "expires_at", "answered_at"]
    list_filter = ["channel", "answered_at"]
    search_fields = ["household__name", "survey__title"]
    list_select_related = ["survey", "household"]
    raw_id_fields = ["household"]
    exclude = ["token_hash"]


@admin.register(SurveyAnswer)
class SurveyAnswerAdmin(admin.ModelAdmin):
    list_display = ["invite", "computer", "internet", "wants_device", "wants_internet", "wants_help", "method"]
    list_filter = ["computer", "internet", "wants_device", "wants_internet", "wants_help", "answered_by", "method"]
    search_fields = ["invite__household__name", "invite__survey__title"]
    list_select_related = ["invite__survey", "invite__household"]
    raw_id_fields = ["invite"]


@admin.register(SupportOrganisation)
class SupportOrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "municipality", "kind", "lop", "active"]
    list_filter = ["kind", "active", "lop"]
    search_fields = ["name", "municipality", "helps_with"]
    list_select_related = ["lop"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # as the LOP's own form does


@admin.register(Referral)
class ReferralAdmin(admin.ModelAdmin):
    list_display = ["household", "organisation", "reason", "status", "created_at"]
    list_filter = ["reason", "status"]
    search_fields = ["household__name", "organisation__name"]
    list_select_related = ["household", "organisation"]
    raw_id_fields = ["household"]


@admin.register(RosterImport)
class RosterImportAdmin(admin.ModelAdmin):
    list_display = ["at", "school", "source", "by"]
    list_filter = [("by", admin.EmptyFieldListFilter)]
    search_fields = ["school__name", "source"]
    list_select_related = ["school", "by"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
