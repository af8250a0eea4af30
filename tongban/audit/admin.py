from django.contrib import admin

from tongban.lib.admin import ReadOnlyAdminMixin

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["seq", "at", "event", "outcome", "username", "office", "target", "ip"]
    list_filter = ["event", "outcome"]
    list_select_related = ["office"]
    search_fields = ["username", "target"]
