from .sealed import blind_q


class SealedSearchMixin:
    """Admin search that also finds a sealed field's exact value (lib.sealed), through
    `sealed_search`: (model, field, lookup prefix) triples, or a function of the search term
    that returns the Q (one that normalises it first: an ID number typed in its 15 digits)."""

    sealed_search: tuple = ()

    def get_search_results(self, request, queryset, search_term):
        found, duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        for entry in self.sealed_search if term else ():
            if callable(entry):
                found |= queryset.filter(entry(term))
            else:
                model, field, prefix = entry
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
