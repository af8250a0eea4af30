from .sealed import blind_q


class SealedSearchMixin:
    """Admin search that also finds a sealed field's exact value (lib.sealed), through
    `sealed_search`: (model, field, lookup prefix) triples."""

    sealed_search: tuple = ()

    def get_search_results(self, request, queryset, search_term):
        found, duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        for model, field, prefix in self.sealed_search if term else ():
            found |= queryset.filter(blind_q(model, field, term, prefix=prefix))
        return found, duplicates


class ReadOnlyAdminMixin:
    """For records, not settings (history, audit trail, versions): shown in the admin, never
    added, changed or deleted there. Works for ModelAdmin and inlines alike."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
