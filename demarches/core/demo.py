"""Demo accounts and démarche, loaded by `manage.py charger_demo` (see README)."""

from demarches.accounts.models import Administrateur, Expert, Instructeur, User
from demarches.procedures import services as procedure_services
from demarches.procedures.models import Procedure, Service

DEMO_PATH = "autorisation-oxygene-medical"
DEMO_ACCOUNTS = [
    ("super-admin", "superadmin@demarches.localhost", "Super-admin-demo-2026!"),
    ("administrateur", "admin@demarches.localhost", "Administrateur-demo-2026!"),
    ("instructeur", "instructeur@demarches.localhost", "Instructeur-demo-2026!"),
    ("instructeur", "instructeur2@demarches.localhost", "Instructeur2-demo-2026!"),
    ("expert", "expert@demarches.localhost", "Expert-demo-2026!"),
    ("usager", "usager@demarches.localhost", "Usager-demo-2026!"),
]

DEMO_CHAMPS = [
    ("header_section", "Votre établissement", False, {}),
    ("text", "Nom de l'établissement", True, {}),
    ("email", "Adresse électronique du responsable", True, {}),
    ("phone", "Téléphone du responsable", True, {}),
    ("civilite", "Civilité du pharmacien responsable", True, {}),
    ("header_section", "Votre demande", False, {}),
    ("explication", "L'autorisation est délivrée pour une durée de cinq ans.", False, {}),
    ("drop_down_list", "Type de demande", True, {"choices": ["Création", "Modification", "Renouvellement"]}),
    ("multiple_drop_down_list", "Activités concernées", False, {"choices": ["Délivrance", "Stockage", "Livraison à domicile"]}),
    ("date", "Date souhaitée de mise en service", True, {}),
    ("datetime", "Date et heure de la visite de conformité souhaitée", False, {}),
    ("integer_number", "Nombre de patients suivis", True, {"min": 0}),
    ("decimal_number", "Surface de stockage (m²)", False, {"min": 0}),
    ("yes_no", "Disposez-vous d'un véhicule de livraison ?", True, {}),
    ("textarea", "Description du projet", False, {"character_limit": 2000}),
    ("piece_justificative", "Plan des locaux", True, {}),
    ("checkbox", "Je certifie l'exactitude des informations fournies", True, {}),
]


def _account(email, password, *, superuser=False):
    from allauth.account.models import EmailAddress

    user = User.objects.filter(email=email).first()
    if user is None:
        user = (User.objects.create_superuser if superuser else User.objects.create_user)(email=email, password=password)
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


def charger_demo() -> bool:
    """Create what is missing; return True when the démarche was created now."""
    accounts = {email: _account(email, password, superuser=role == "super-admin") for role, email, password in DEMO_ACCOUNTS}
    administrateur, _ = Administrateur.objects.get_or_create(user=accounts["admin@demarches.localhost"])
    instructeurs = [
        Instructeur.objects.get_or_create(user=accounts[email])[0]
        for email in ("instructeur@demarches.localhost", "instructeur2@demarches.localhost")
    ]
    # The administrateur also instructs his démarche, as in small services.
    Instructeur.objects.get_or_create(user=administrateur.user)
    Expert.objects.get_or_create(user=accounts["expert@demarches.localhost"])
    if Procedure.objects.filter(path=DEMO_PATH).exists():
        return False
    service = Service.objects.create(
        nom="Direction de l'offre de soins",
        organisme="Agence régionale de santé (démonstration)",
        email="ars-demo-autorisations@demarches.localhost",
        telephone="01 23 45 67 89",
        horaires="Du lundi au vendredi, de 9 h à 12 h et de 14 h à 17 h",
        adresse="10 rue de la Santé\n75000 Paris",
        administrateur=administrateur,
    )
    procedure = procedure_services.procedure_creer(
        administrateur=administrateur,
        libelle="Autorisation de dispensation d'oxygène à usage médical",
        description=(
            "Cette démarche permet aux structures qui délivrent de l'oxygène médical à domicile de demander "
            "l'autorisation préalable de l'agence régionale de santé. Préparez le plan de vos locaux : il vous "
            "sera demandé."
        ),
        cadre_juridique="Article L. 5232-3 du code de la santé publique",
        service=service,
    )
    for type_champ, libelle, mandatory, options in DEMO_CHAMPS:
        procedure_services.type_de_champ_ajouter(
            procedure=procedure, administrateur=administrateur, type_champ=type_champ, libelle=libelle,
            mandatory=mandatory, options=options,
        )
    procedure.default_groupe.instructeurs.add(*instructeurs, administrateur.user.instructeur)
    procedure_services.procedure_publier(procedure=procedure, administrateur=administrateur, path=DEMO_PATH)
    return True
