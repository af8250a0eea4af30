"""The working-day calendar's admin page. It lives here, not in `workdays`, because saving a
corrected day moves the open cases' dates (tongban.ops.calendar), which the calendar app may
not reach."""

from django.contrib import admin
from django.db.models import Count, Q

from tongban.lib.http import client_ip
from tongban.workdays.models import CalendarDay, CalendarYear

from .calendar import calendar_corrected


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    fields = ["date", "is_workday", "name"]
    ordering = ["date"]
    extra = 0


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = [
        "year",
        "notice_title",
        "doc_no",
        "issued",
        "rest_days",
        "makeup_days",
        "loaded_at",
    ]
    search_fields = ["year", "notice_title", "doc_no"]
    readonly_fields = ["loaded_at"]
    inlines = [CalendarDayInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                rest_count=Count("days", filter=Q(days__is_workday=False)),
                makeup_count=Count("days", filter=Q(days__is_workday=True)),
            )
        )

    @admin.display(description="放假天数", ordering="rest_count")
    def rest_days(self, obj):
        return obj.rest_count

    @admin.display(description="调休上班", ordering="makeup_count")
    def makeup_days(self, obj):
        return obj.makeup_count

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # A hand-corrected day moves open deadlines just as a loaded notice does.
        calendar_corrected(year=form.instance.year, by=request.user, ip=client_ip(request))
