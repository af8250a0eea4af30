from django.contrib import admin

from tongban.lib.admin import SealedSearchMixin
from tongban.lib.identifiers import phone_mask

from .models import Notification, ScheduledJob, Warning


@admin.register(Warning)
class WarningAdmin(admin.ModelAdmin):
    list_display = ["case", "level", "deadline", "office", "raised_at"]
    list_filter = ["level", "office"]
    search_fields = ["case__number"]
    raw_id_fields = ["case"]
    list_select_related = ["case", "office"]

    def has_change_permission(self, request, obj=None):
        return False  # raised once by the scan; a record, not a setting


@admin.register(Notification)
class NotificationAdmin(SealedSearchMixin, admin.ModelAdmin):
    list_display = ["created_at", "event", "channel", "to", "status", "attempts", "sent_at"]
    list_filter = ["status", "channel", "event"]
    search_fields = ["key", "case__number"]
    sealed_search = ((Notification, "recipient", ""),)  # an exact phone number or address
    raw_id_fields = ["case", "user"]
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request):
        return False

    @admin.display(description="接收人")
    def to(self, obj):
        return phone_mask(obj.recipient)


@admin.register(ScheduledJob)
class ScheduledJobAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "next_run_at",
        "last_enqueued_at",
        "last_enqueued_by",
        "last_finished_at",
    ]
    readonly_fields = ["last_enqueued_at", "last_enqueued_by", "last_result", "last_finished_at"]
