from django.contrib import admin

from .models import Appeal, Evaluation, Rectification


@admin.register(Evaluation)
class EvaluationAdmin(admin.ModelAdmin):
    list_display = ["case", "score", "channel", "created_at", "excluded"]
    list_filter = ["score", "channel", "excluded"]
    search_fields = ["case__number"]
    raw_id_fields = ["case", "rated_by"]
    list_select_related = ["case"]
    # Ratings, rectifications and appeals change only through their services (audited).
    readonly_fields = [f.name for f in Evaluation._meta.fields]


@admin.register(Rectification)
class RectificationAdmin(admin.ModelAdmin):
    list_display = [
        "evaluation",
        "office",
        "due",
        "verified_at",
        "callback_at",
        "closed_at",
        "void",
    ]
    list_filter = ["office", "void"]
    search_fields = ["evaluation__case__number"]
    list_select_related = ["evaluation__case", "office"]
    readonly_fields = [f.name for f in Rectification._meta.fields]


@admin.register(Appeal)
class AppealAdmin(admin.ModelAdmin):
    list_display = ["evaluation", "office", "status", "filed_at", "decided_at"]
    list_filter = ["status", "office"]
    readonly_fields = [f.name for f in Appeal._meta.fields]
