from django.contrib import admin

from .models import Guardian, Household, InternetCode, Pupil


class GuardianInline(admin.TabularInline):
    model = Guardian
    extra = 0


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    list_display = ["name", "school", "preferred_language", "contact_channel", "device_at_home", "internet_at_home"]
    list_filter = ["preferred_language", "contact_channel", "device_at_home", "internet_at_home"]
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
    list_filter = ["active", "needs_device", "needs_internet", "grade"]
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
