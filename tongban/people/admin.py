from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import Applicant, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "role", "office", "is_active", "last_login"]
    list_filter = ["role", "office", "is_active"]
    list_select_related = ["office"]
    raw_id_fields = ["applicant"]
    fieldsets = BaseUserAdmin.fieldsets + (("通办", {"fields": ("role", "office", "applicant")}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + (("通办", {"fields": ("role", "office")}),)


@admin.register(Applicant)
class ApplicantAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "insured_region", "created_at"]
    list_filter = ["kind", "insured_region"]
    search_fields = ["name", "id_number"]
    list_select_related = ["insured_region"]
