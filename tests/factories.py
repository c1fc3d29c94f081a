"""Factories shared by the test suite: build real rows through the services where it matters."""

import factory
from django.utils import timezone

from demarches.accounts.models import Administrateur, Expert, Instructeur, User
from demarches.dossiers.models import Dossier
from demarches.procedures import services as procedure_services
from demarches.procedures.models import Service

PASSWORD = "Un-mot-de-passe-solide-2026"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@exemple.fr")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        """Accounts are confirmed unless verified=False."""
        from allauth.account.models import EmailAddress

        obj.save()
        if create and extracted is not False:
            EmailAddress.objects.update_or_create(user=obj, email=obj.email, defaults={"verified": True, "primary": True})


class InstructeurFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Instructeur

    user = factory.SubFactory(UserFactory)


class AdministrateurFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Administrateur

    user = factory.SubFactory(UserFactory)


class ExpertFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Expert

    user = factory.SubFactory(UserFactory)


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    nom = "Service des autorisations"
    organisme = "Préfecture de l'Exemple"
    email = "contact@prefecture.example.fr"
    telephone = "01 23 45 67 89"
    administrateur = factory.SubFactory(AdministrateurFactory)


def procedure_creer(*, administrateur=None, instructeurs=(), champs=None, publier=True, path=None, **options):
    """A démarche with its champs; published unless publier=False.

    champs: list of (type_champ, libelle, mandatory[, options]) tuples.
    """
    administrateur = administrateur or AdministrateurFactory()
    service = ServiceFactory(administrateur=administrateur)
    procedure = procedure_services.procedure_creer(
        administrateur=administrateur, libelle=options.pop("libelle", "Demande d'autorisation"),
        description="Pour demander une autorisation.", service=service,
        cadre_juridique=options.pop("cadre_juridique", "Article L. 112-8 du code des relations entre le public et l'administration"),
        **options,
    )
    for spec in champs if champs is not None else [("text", "Nom du projet", True)]:
        type_champ, libelle, mandatory, *rest = spec
        procedure_services.type_de_champ_ajouter(
            procedure=procedure, administrateur=administrateur, type_champ=type_champ, libelle=libelle,
            mandatory=mandatory, options=rest[0] if rest else {},
        )
    for instructeur in instructeurs:
        procedure.default_groupe.instructeurs.add(instructeur)
    if publier:
        procedure = procedure_services.procedure_publier(
            procedure=procedure, administrateur=administrateur, path=path or f"demarche-{procedure.pk}"
        )
    return procedure


def dossier_creer(*, procedure, user=None, state=Dossier.State.BROUILLON, **fields):
    """A dossier put directly in the given state (for tests that do not exercise the transitions)."""
    user = user or UserFactory()
    now = timezone.now()
    fields = {"civilite": "Mme", "nom": "Martin", "prenom": "Claire", **fields}
    dossier = Dossier.objects.create(
        procedure=procedure, revision=procedure.active_revision, user=user, state=state,
        groupe_instructeur=procedure.default_groupe, depose_at=None if state == Dossier.State.BROUILLON else now, **fields,
    )
    return dossier
