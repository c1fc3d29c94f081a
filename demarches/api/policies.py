"""Who may manage API tokens and webhooks."""

from demarches.procedures import policies as procedure_policies


def can_manage_tokens(user) -> bool:
    return procedure_policies.is_administrateur(user)


def owns_token(user, token) -> bool:
    administrateur = getattr(user, "administrateur", None) if user and user.is_authenticated else None
    return administrateur is not None and token.administrateur_id == administrateur.pk


def can_manage_webhook(user, procedure) -> bool:
    return procedure_policies.can_administer(user, procedure)
