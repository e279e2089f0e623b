from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent, Lop, Role, School, SchoolYearFacts, StaffMember, User


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
