from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from tongban.lib.admin import ReadOnlyAdminMixin

from .models import ApiToken, Applicant, User
from .services import tokens_revoke, user_save

# What an account may do is its role (三权分立): Django's superuser flag, groups and
# permissions are not on the page, so nobody can grant them to anyone, themselves included.
_PRIVILEGES = {"is_superuser", "groups", "user_permissions"}


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "role", "office", "is_active", "last_login"]
    list_filter = ["role", "office", "is_active"]
    list_select_related = ["office"]
    raw_id_fields = ["applicant"]
    fieldsets = tuple(
        (name, {**opts, "fields": tuple(f for f in opts["fields"] if f not in _PRIVILEGES)})
        for name, opts in BaseUserAdmin.fieldsets
    ) + (("通办", {"fields": ("role", "office", "department", "applicant")}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        ("通办", {"fields": ("role", "office", "department")}),
    )

    def save_model(self, request, obj, form, change):
        user_save(user=obj)


@admin.register(Applicant)
class ApplicantAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """A person's identity changes through the applicant services (checked, audited), never
    here."""

    list_display = ["name", "kind", "insured_region", "created_at"]
    list_filter = ["kind", "insured_region"]
    search_fields = ["name", "id_number"]
    list_select_related = ["insured_region"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """The security administrator sees every API token (never the token itself: only its
    SHA-256 is stored) and revokes one by deleting it."""

    list_display = ["user", "created_at", "last_used_at"]
    list_filter = ["user__role"]
    search_fields = ["user__username"]
    list_select_related = ["user"]
    readonly_fields = ["user", "digest", "created_at", "last_used_at"]

    def has_add_permission(self, request, obj=None):
        return False  # tokens come from signing in

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        tokens_revoke(ApiToken.objects.filter(pk=obj.pk), by=request.user)

    def delete_queryset(self, request, queryset):
        tokens_revoke(queryset, by=request.user)
