from django.contrib import admin

from tongban.lib.admin import ReadOnlyAdminMixin

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "event", "outcome", "username", "target", "ip"]
    list_filter = ["event", "outcome"]
    search_fields = ["username", "target"]
