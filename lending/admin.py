from django.contrib import admin

from .models import Agreement, Device, Loan


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    list_display = ["asset_tag", "kind", "make_model", "status", "funding_source", "purchase_value", "school"]
    list_filter = ["status", "kind", "funding_source"]
    search_fields = ["asset_tag", "serial_number", "make_model", "school__name"]
    list_select_related = ["school"]


class AgreementInline(admin.TabularInline):
    model = Agreement
    extra = 0


@admin.register(Loan)
class LoanAdmin(admin.ModelAdmin):
    list_display = ["device", "pupil", "staff_member", "status", "started_at", "due_on", "returned_at"]
    list_filter = ["status", "due_policy", "condition_out"]
    search_fields = ["device__asset_tag", "pupil__last_name", "pupil__first_name", "staff_member__name"]
    list_select_related = ["device", "pupil", "staff_member"]
    raw_id_fields = ["device", "pupil", "staff_member"]
    inlines = [AgreementInline]


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = ["loan", "status", "language", "text_version", "deposit", "signed_method", "signed_at"]
    list_filter = ["status", "language", "signed_method"]
    search_fields = ["loan__device__asset_tag", "loan__pupil__last_name"]
    list_select_related = ["loan__device", "loan__pupil", "loan__staff_member"]
    raw_id_fields = ["loan"]
