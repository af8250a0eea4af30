from functools import partial

from django.contrib import admin

from tongban.lib.admin import ReadOnlyAdminMixin, SealedSearchMixin
from tongban.people.models import Applicant
from tongban.people.services import applicant_number_q

from .models import Case, CaseEvent, ClockStop, Notice


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0


class CaseEventInline(ReadOnlyInline):
    model = CaseEvent
    fields = ["at", "action", "from_status", "to_status", "step", "actor", "office", "reason"]
    readonly_fields = fields


class ClockStopInline(ReadOnlyInline):
    model = ClockStop
    fields = ["started_on", "ended_on", "reason"]
    readonly_fields = fields


class NoticeInline(ReadOnlyInline):
    model = Notice
    fields = ["kind", "issued_at", "issued_by", "office"]
    readonly_fields = fields


@admin.register(Case)
class CaseAdmin(SealedSearchMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """For operators to read. A case changes only through the case services (its history, its
    version, its notices), never by editing the row: read-only here for everyone, superusers
    included."""

    list_display = [
        "number",
        "item",
        "status",
        "result",
        "channel",
        "handling_office",
        "deadline",
        "submitted_at",
    ]
    list_filter = ["status", "result", "channel", "handling_office"]
    search_fields = ["=number"]
    # ID numbers and names are sealed: found by their exact value (lib.admin).
    sealed_search = (partial(applicant_number_q, prefix="applicant__"),
                     (Applicant, "name", "applicant__"))  # fmt: skip
    list_select_related = ["item", "handling_office"]
    raw_id_fields = [
        "applicant",
        "agent",
        "submitted_by",
        "owner",
        "item",
        "item_version",
        "window",
    ]
    readonly_fields = [
        "number", "status", "result", "step", "reason", "submitted_at", "accepted_at", "completed_at",
        "deadline", "deadline_provisional", "clock_started_on", "workdays_used", "prereview_due",
        "supplement_due", "accepting_office", "handling_office", "insured_region", "overdue", "version",
        "supplied_materials", "missing_materials", "promised_supplement_by", "idempotency_key",
    ]  # fmt: skip
    inlines = [CaseEventInline, ClockStopInline, NoticeInline]
    show_full_result_count = False  # COUNT(*) over a million cases is not worth it

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "case", "action", "from_status", "to_status", "actor", "office"]
    list_filter = ["action"]
    search_fields = ["=case__number"]
    list_select_related = ["case", "actor", "office"]
    show_full_result_count = False
