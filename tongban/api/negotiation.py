from rest_framework.negotiation import DefaultContentNegotiation


class SingleRenderer(DefaultContentNegotiation):
    """A view with one renderer (every API view: JSON) answers with it, whatever the client
    accepts, without parsing the Accept header (a quarter of a millisecond a request); views
    with several (the OpenAPI schema: YAML or JSON) negotiate as DRF does."""

    def select_renderer(self, request, renderers, format_suffix=None):
        if len(renderers) == 1:
            return renderers[0], renderers[0].media_type
        return super().select_renderer(request, renderers, format_suffix)
