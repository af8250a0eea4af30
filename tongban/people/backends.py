from django.contrib.auth.backends import ModelBackend

from tongban.lib.sealed import blind_q

from .models import User

_MOBILE_LENGTH = 11


class PhoneBackend(ModelBackend):
    """Signs a portal account in by its mobile number and password (its user name is no phone
    number: people.accounts). The number is found by its blind index."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if (
            not username
            or not password
            or not (username.isdigit() and len(username) == _MOBILE_LENGTH)
        ):
            return None
        user = User.objects.filter(blind_q(User, "phone", username)).first()
        if user is None:
            User().set_password(password)  # as slow as a real check: no timing tells who has one
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
