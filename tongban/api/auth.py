from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from tongban.lib.http import bearer_key
from tongban.people.selectors import token_user


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <token>`; tokens are stored as SHA-256 digests."""

    keyword = "Bearer"

    def authenticate(self, request):
        key = bearer_key(request)
        if key is None:
            return None
        if not key:
            raise exceptions.AuthenticationFailed("Authorization 头格式应为 'Bearer <token>'")
        user = token_user(key)
        if user is None:
            raise exceptions.AuthenticationFailed("令牌无效或已停用 (invalid token)")
        return user, None

    def authenticate_header(self, request):
        return self.keyword


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """Tells drf-spectacular how BearerTokenAuthentication looks in the OpenAPI document."""

    target_class = BearerTokenAuthentication
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer"}
