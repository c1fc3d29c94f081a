from django.contrib.auth.backends import ModelBackend


class LockingAuthenticationBackend(ModelBackend):
    pass
