from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "demarches.accounts"
    label = "accounts"
