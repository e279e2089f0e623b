"""Signals the lower floors send so that higher floors can follow without being imported here."""
from django.dispatch import Signal

# Sent with ``school_ids`` by a write that bypasses model signals (bulk_create, bulk_update,
# queryset.update()) and changes what the reports count; reports.signals refreshes those schools.
school_data_changed = Signal()
