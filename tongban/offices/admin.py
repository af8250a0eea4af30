from django.contrib import admin

from .models import AgentPoint, Hall, Office, Window


class HallInline(admin.TabularInline):
    model = Hall
    extra = 0


class WindowInline(admin.TabularInline):
    model = Window
    extra = 0


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent", "external"]
    list_filter = ["level", "external"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]
    inlines = [HallInline]


@admin.register(Hall)
class HallAdmin(admin.ModelAdmin):
    list_display = ["name", "office", "phone", "opens_at", "closes_at"]
    search_fields = ["name", "office__name", "office__code"]
    list_select_related = ["office"]
    inlines = [WindowInline]


@admin.register(Window)
class WindowAdmin(admin.ModelAdmin):
    list_display = ["__str__", "hall", "number", "tongban"]
    list_filter = ["tongban", "hall__office"]
    list_select_related = ["hall"]


@admin.register(AgentPoint)
class AgentPointAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "office", "hours", "active"]
    list_filter = ["kind", "active", "office"]
    search_fields = ["code", "name", "address"]
    list_select_related = ["office"]

    def get_readonly_fields(self, request, obj=None):
        # The code is how cases, figures and outside clients name the point: fixed once made.
        return ["code"] if obj else []
