from django.contrib import admin

from .models import (
    Agreement,
    AgreementTerms,
    Device,
    Incident,
    Loan,
    Repair,
    ReturnReceipt,
    SigningLink,
    Stocktake,
    StocktakeScan,
    Transfer,
)


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


@admin.register(AgreementTerms)
class AgreementTermsAdmin(admin.ModelAdmin):
    list_display = ["school", "version", "deposit", "damage_cap", "return_policy", "created_at", "created_by"]
    list_filter = ["return_policy", "high_amounts_acknowledged"]
    search_fields = ["school__name", "school__instellingsnummer"]
    list_select_related = ["school", "created_by"]


@admin.register(SigningLink)
class SigningLinkAdmin(admin.ModelAdmin):
    list_display = ["agreement", "channel", "created_at", "expires_at", "used_at"]
    list_filter = ["channel"]
    search_fields = ["agreement__loan__device__asset_tag"]
    list_select_related = ["agreement__loan__device"]
    exclude = ["token_hash"]


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = ["device", "kind", "cost_to_family", "reported_at", "reported_by"]
    list_filter = ["kind"]
    search_fields = ["device__asset_tag", "description"]
    list_select_related = ["device", "reported_by"]
    raw_id_fields = ["device", "loan"]


@admin.register(Repair)
class RepairAdmin(admin.ModelAdmin):
    list_display = ["device", "supplier", "sent_at", "returned_at", "cost"]
    list_filter = ["supplier"]
    search_fields = ["device__asset_tag", "supplier"]
    list_select_related = ["device"]
    raw_id_fields = ["device", "incident"]


@admin.register(ReturnReceipt)
class ReturnReceiptAdmin(admin.ModelAdmin):
    list_display = ["loan", "language", "channel", "status", "created_at", "sent_at"]
    list_filter = ["status", "channel", "language"]
    search_fields = ["loan__device__asset_tag"]
    list_select_related = ["loan__device", "loan__pupil", "loan__staff_member"]
    raw_id_fields = ["loan"]


@admin.register(Stocktake)
class StocktakeAdmin(admin.ModelAdmin):
    list_display = ["school", "started_at", "closed_at", "started_by", "closed_by"]
    list_filter = ["closed_at"]
    search_fields = ["school__name", "school__instellingsnummer"]
    list_select_related = ["school", "started_by", "closed_by"]


@admin.register(StocktakeScan)
class StocktakeScanAdmin(admin.ModelAdmin):
    list_display = ["stocktake", "device", "scanned_at", "scanned_by"]
    date_hierarchy = "scanned_at"
    search_fields = ["device__asset_tag"]
    list_select_related = ["stocktake", "device", "scanned_by"]
    raw_id_fields = ["stocktake", "device"]


@admin.register(Transfer)
class TransferAdmin(admin.ModelAdmin):
    list_display = ["device", "from_school", "to_school", "status", "created_at", "decided_at"]
    list_filter = ["status"]
    search_fields = ["device__asset_tag", "from_school__name", "to_school__name"]
    list_select_related = ["device", "from_school", "to_school"]
    raw_id_fields = ["loan", "device", "new_device"]
