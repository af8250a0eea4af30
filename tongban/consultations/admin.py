from django.contrib import admin

from tongban.lib.admin import ReadOnlyAdminMixin

from .models import Consultation, PolicyQA


@admin.register(PolicyQA)
class PolicyQAAdmin(admin.ModelAdmin):
    """The catalog administrator maintains the policy library here."""

    list_display = ["question", "item", "published", "updated_at"]
    list_filter = ["published", "item__category"]
    list_select_related = ["item"]
    search_fields = ["question", "answer", "source", "item__name", "item__code"]
    list_editable = ["published"]
    fields = ["item", "question", "answer", "source", "published"]


@admin.register(Consultation)
class ConsultationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only for operators: the log is written at the desk, and 首问负责 must not change."""

    list_display = ["asked_at", "office", "clerk", "item", "asker_name", "channel"]
    list_filter = ["channel", "office"]
    list_select_related = ["office", "clerk", "item"]
    search_fields = ["question", "answer", "asker_name"]
    raw_id_fields = ["turned_into_case"]
