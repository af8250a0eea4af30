from django.contrib import admin

from tongban.lib.admin import ReadOnlyAdminMixin

from .models import Consultation, ConsultationHandOff, PolicyQA


@admin.register(PolicyQA)
class PolicyQAAdmin(admin.ModelAdmin):
    """The catalog administrator maintains the policy library here."""

    list_display = ["question", "item", "published", "updated_at"]
    list_filter = ["published", "item__category"]
    list_select_related = ["item"]
    search_fields = ["question", "answer", "source", "item__name", "item__code"]
    list_editable = ["published"]
    fields = ["item", "question", "answer", "source", "published"]


class HandOffInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ConsultationHandOff
    fields = ["at", "from_user", "to_user", "by", "note"]
    extra = 0


@admin.register(Consultation)
class ConsultationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only for operators: the log is written at the desk, and 首问负责 must not change
    (the first responder, the owner and every hand-on)."""

    list_display = ["asked_at", "office", "clerk", "owner", "closed_at", "item", "asker_name",
                    "channel"]  # fmt: skip
    list_filter = ["channel", "office", ("closed_at", admin.EmptyFieldListFilter)]
    list_select_related = ["office", "clerk", "owner", "item"]
    search_fields = ["question", "answer", "reply", "asker_name"]
    raw_id_fields = ["turned_into_case"]
    inlines = [HandOffInline]
