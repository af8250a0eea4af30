class ReadOnlyAdminMixin:
    """For records, not settings (history, audit trail, versions): shown in the admin, never
    added, changed or deleted there. Works for ModelAdmin and inlines alike."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
