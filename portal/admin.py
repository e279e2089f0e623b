from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import (
    AuditEvent,
    FailingAddress,
    Invitation,
    Job,
    Lop,
    Message,
    Role,
    School,
    SchoolClosure,
    SchoolYearFacts,
    StaffMember,
    User,
)


class RoleInline(admin.TabularInline):
    model = Role
    extra = 0
    autocomplete_fields = ["school", "lop"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_active", "is_superuser", "last_login"]
    list_filter = ["is_active", "is_superuser", "roles__kind"]
    search_fields = ["email", "first_name", "last_name"]
    inlines = [RoleInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Personal info"), {"fields": ["first_name", "last_name", "preferred_language"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser"]}),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


@admin.register(Lop)
class LopAdmin(admin.ModelAdmin):
    list_display = ["name", "level", "area"]
    list_filter = ["level"]
    search_fields = ["name", "area"]


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["instellingsnummer", "name", "municipality", "province", "level", "special_needs", "network", "lop"]
    list_filter = ["province", "level", "special_needs", "network", "lop"]
    search_fields = ["instellingsnummer", "name", "municipality", "postcode"]
    list_select_related = ["lop"]
    # Never shown again once saved (manage.py smartschool_connect sets it, encrypted).
    exclude = ["smartschool_access_code"]


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "school", "lop"]
    list_filter = ["kind"]
    search_fields = ["user__email", "school__name", "lop__name"]
    list_select_related = ["user", "school", "lop"]
    autocomplete_fields = ["school", "lop"]


@admin.register(StaffMember)
class StaffMemberAdmin(admin.ModelAdmin):
    list_display = ["name", "school", "active"]
    list_filter = ["active"]
    search_fields = ["name", "email", "school__name"]
    list_select_related = ["school"]


@admin.register(SchoolYearFacts)
class SchoolYearFactsAdmin(admin.ModelAdmin):
    list_display = ["school", "start_year", "staff_head_count", "digisprong_budget", "updated_at"]
    list_filter = ["start_year"]
    search_fields = ["school__name", "school__instellingsnummer"]
    list_select_related = ["school"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "school", "action", "object_type", "object_id"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_id", "actor__email"]
    list_select_related = ["actor", "school"]
    date_hierarchy = "at"

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """What became of each message: read-only, it is the providers' word."""

    list_display = ["created_at", "school", "channel", "purpose", "status", "provider", "attempts"]
    list_filter = ["channel", "status", "provider"]
    search_fields = ["provider_id", "about", "purpose"]
    list_select_related = ["school"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(FailingAddress)
class FailingAddressAdmin(admin.ModelAdmin):
    """Delete a row once the family gave a new address: messages then use it again."""

    list_display = ["at", "school", "channel", "reason"]
    list_filter = ["channel", "reason"]
    search_fields = ["address"]
    list_select_related = ["school"]


@admin.register(SchoolClosure)
class SchoolClosureAdmin(admin.ModelAdmin):
    list_display = ["school", "name", "starts_on", "ends_on", "kind"]
    list_filter = ["kind"]
    search_fields = ["school__name", "school__instellingsnummer", "name"]
    list_select_related = ["school"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Read only: invitations are made, sent again and withdrawn on the people pages (/people/), which
    check who may give which role and send the mail."""

    list_display = ["email", "kind", "school", "lop", "invited_by", "sent_at", "expires_at", "accepted_at",
                    "revoked_at"]
    list_filter = ["kind", ("accepted_at", admin.EmptyFieldListFilter), ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["email", "school__name", "lop__name"]
    list_select_related = ["school", "lop", "invited_by"]
    exclude = ["token_hash"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    """To see what runs and what failed; the documents themselves are downloaded on the school's page
    (private ones by their creator only), so the admin shows no file and no key."""

    list_display = ["created_at", "kind", "school", "created_by", "status", "expires_at"]
    list_filter = ["kind", "status"]
    search_fields = ["school__name", "created_by__email", "title"]
    list_select_related = ["school", "created_by"]
    date_hierarchy = "created_at"
    fields = ["kind", "title", "school", "created_by", "private", "status", "message", "errors", "created_at",
              "started_at", "finished_at", "expires_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
