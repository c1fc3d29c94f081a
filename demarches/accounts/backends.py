"""E-mail + password authentication that counts failures and refuses locked accounts.

It comes first in AUTHENTICATION_BACKENDS: allauth's login form, the super-admin login and any other caller of
django.contrib.auth.authenticate() go through it. A locked account raises PermissionDenied, which makes Django
stop and skip the following backends, so the right password does not open a locked account either.
"""

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from . import policies, services
from .models import User


class AccountLocked(PermissionDenied):
    def __init__(self, user: User):
        super().__init__("Compte verrouillé")
        self.user = user


class LockingAuthenticationBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, email=None, **kwargs):
        login = email or username or kwargs.get(User.USERNAME_FIELD)
        if not login or password is None:
            return None
        user = User.objects.filter(email__iexact=login.strip()).first()
        if user is None:
            # Same hashing cost as for an existing account, so timing does not tell whether it exists.
            User().set_password(password)
            return None
        if policies.is_locked(user):
            raise AccountLocked(user)
        if not user.check_password(password):
            services.echec_connexion_enregistrer(user=user)
            return None
        if not self.user_can_authenticate(user):
            # Right password on a deactivated account: allauth's backend shows the "compte inactif" page.
            return None
        return services.connexion_reussie_enregistrer(user=user)
