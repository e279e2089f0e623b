from django.contrib import admin

from .models import Reminder


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["kind", "step", "school", "channel", "language", "status", "due_at", "sent_at"]
    list_filter = ["kind", "status", "channel", "language"]
    search_fields = ["school__name", "household__name", "kind"]
    list_select_related = ["school", "household"]
    raw_id_fields = ["household"]
    date_hierarchy = "due_at"
