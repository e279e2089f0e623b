from django.contrib import admin

from .models import Agreement, AgreementTerms, Device, DeviceImportSettings, Incident, Loan, Repair, SigningLink


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


@admin.register(DeviceImportSettings)
class DeviceImportSettingsAdmin(admin.ModelAdmin):
    list_display = ["school", "preset", "funding_source", "kind"]
    list_filter = ["preset", "funding_source"]
    search_fields = ["school__name", "school__instellingsnummer"]
    list_select_related = ["school"]
