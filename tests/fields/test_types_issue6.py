"""The field types added for issue 6: what each accepts, refuses (in French), stores and shows."""

import pytest
from django.core.exceptions import ValidationError
from django.http import QueryDict

from demarches.dossiers.models import Dossier
from demarches.fields import registry
from demarches.fields.registry import StoredValue
from demarches.fields.types.choice import AUTRE
from demarches.referentiels import adapters
from demarches.referentiels.adapters.entreprise import EntrepriseRechercheEntreprises
from tests import factories

BOULANGERIE = "81234567600017"  # in the offline company registry
FERMEE = "39988877500026"  # closed établissement
INCONNU = "73282932000074"  # valid checksum, unknown to the registry


def parse(key, raw, **options):
    return registry.get(key).parse(raw, options=options)


def refused(key, raw, **options) -> str:
    with pytest.raises(ValidationError) as error:
        parse(key, raw, **options)
    return error.value.messages[0]


def posted(data: dict) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, value in data.items():
        query.setlist(key, value if isinstance(value, list) else [value])
    return query


def failing_transport(url, *, timeout, headers):
    raise TimeoutError("timed out")


# Champ formaté -----------------------------------------------------------------------------------


def test_formatted_simple_mode_checks_character_classes():
    assert parse("formatted", [" AB12 "], letters=True, digits=True, special=True).value == "AB12"
    assert parse("formatted", ["123456"], digits=True).value == "123456"
    message = refused("formatted", ["12-34"], digits=True)
    assert message == "Seuls les chiffres sont acceptés : retirez les caractères spéciaux (espaces compris)."
    message = refused("formatted", ["Abc 12"], letters=True)
    assert message.startswith("Seuls les lettres sont acceptés : retirez les chiffres et les caractères spéciaux")
    # Accented letters are letters.
    assert parse("formatted", ["Éléonore"], letters=True).value == "Éléonore"


def test_formatted_simple_mode_checks_length():
    assert parse("formatted", ["abcd"], min_length=4, max_length=6).value == "abcd"
    assert refused("formatted", ["abc"], min_length=4) == "La valeur doit comporter au moins 4 caractères (actuellement 3)."
    assert refused("formatted", ["abcdefg"], max_length=6) == "La valeur ne doit pas dépasser 6 caractères (actuellement 7)."


def test_formatted_without_options_accepts_any_line():
    assert parse("formatted", ["n'importe quoi !"]).value == "n'importe quoi !"
    assert parse("formatted", [""]) == StoredValue()


def test_formatted_advanced_mode_uses_the_regex_example_and_message():
    options = {"mode": "avance", "regex": r"[A-Z]{2}-\d{3}", "example": "AB-123", "error_message": "Format attendu : deux lettres, un tiret, trois chiffres."}
    assert parse("formatted", ["AB-123"], **options).value == "AB-123"
    assert refused("formatted", ["ab-123"], **options) == "Format attendu : deux lettres, un tiret, trois chiffres. Exemple : AB-123"
    assert refused("formatted", ["AB-1234"], mode="avance", regex=r"[A-Z]{2}-\d{3}") == "La valeur ne respecte pas le format attendu."


def test_formatted_with_a_broken_regex_refuses_politely():
    message = refused("formatted", ["abc"], mode="avance", regex="([a-z")
    assert "format attendu est mal défini" in message


def test_formatted_hint():
    field_type = registry.get("formatted")
    assert field_type.hint({"digits": True, "min_length": 5, "max_length": 5}) == "Caractères autorisés : les chiffres. Entre 5 et 5 caractères."
    assert field_type.hint({"mode": "avance", "example": "AB-123"}) == "Exemple : AB-123"


# Engagement ------------------------------------------------------------------------------------


def test_engagement_is_a_checkbox():
    assert parse("engagement", ["true"]) == StoredValue(value="true")
    assert parse("engagement", []) == StoredValue(value="")
    assert registry.get("engagement").is_empty(StoredValue(value=""))
    assert registry.get("engagement").display(StoredValue(value="true")) == "Oui"
    assert registry.get("engagement").template == "fields/widgets/checkbox.html"


# IBAN ------------------------------------------------------------------------------------------


def test_iban_is_compacted_and_displayed_by_groups_of_four():
    stored = parse("iban", ["fr76 3000 6000 0112 3456 7890 189"])
    assert stored == StoredValue(value="FR7630006000011234567890189")
    assert registry.get("iban").display(stored) == "FR76 3000 6000 0112 3456 7890 189"
    assert parse("iban", ["DE89 3704 0044 0532 0130 00"]).value == "DE89370400440532013000"


@pytest.mark.parametrize(
    "raw, start",
    [
        ("FR76 3000 6000 0112 3456 7890 188", "Cet IBAN n'est pas valide : la clé de contrôle"),
        ("FR76", "Saisissez un IBAN valide"),
        ("bonjour", "Saisissez un IBAN valide"),
    ],
)
def test_iban_invalid(raw, start):
    assert refused("iban", [raw]).startswith(start)


# SIRET -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_siret_fetches_the_etablissement():
    stored = parse("siret", ["812 345 676 00017"])
    assert stored.value == BOULANGERIE
    assert stored.data["etat"] == "ok"
    etab = stored.data["etablissement"]
    assert (etab["raison_sociale"], etab["naf"], etab["code_postal"], etab["commune"]) == ("BOULANGERIE MARTIN", "10.71C", "69002", "Lyon")
    assert etab["libelle_forme_juridique"] == "Société à responsabilité limitée (SARL)"
    display = registry.get("siret").display(stored)
    assert display.splitlines() == [
        "812 345 676 00017",
        "BOULANGERIE MARTIN (Au Pain d'Antan)",
        "12 Rue de la République, 69002 Lyon",
        "Forme juridique : Société à responsabilité limitée (SARL)",
        "Activité (NAF) : 10.71C – Boulangerie et boulangerie-pâtisserie",
    ]


@pytest.mark.django_db
def test_siret_of_a_closed_etablissement_is_accepted_and_said_closed():
    stored = parse("siret", [FERMEE])
    assert stored.data["etablissement"]["actif"] is False
    assert registry.get("siret").display(stored).endswith("Établissement fermé")


@pytest.mark.parametrize(
    "raw, message",
    [
        ("1234", "Le numéro SIRET doit comporter exactement 14 chiffres (par exemple : 130 025 265 00013)."),
        ("8123456760001A", "Le numéro SIRET doit comporter exactement 14 chiffres (par exemple : 130 025 265 00013)."),
        ("81234567600018", "Ce numéro SIRET n'est pas valide : vérifiez les chiffres saisis (la clé de contrôle ne correspond pas)."),
    ],
)
def test_siret_format_and_checksum(raw, message):
    assert refused("siret", [raw]) == message


@pytest.mark.django_db
def test_siret_unknown_to_the_registry_is_refused_with_a_clear_message():
    assert refused("siret", [INCONNU]) == "Aucun établissement ne correspond au numéro SIRET 732 829 320 00074 : vérifiez le numéro saisi."


@pytest.mark.django_db
def test_siret_degraded_mode_when_the_registry_fails():
    with adapters.remplacer("entreprise", EntrepriseRechercheEntreprises(transport=failing_transport)):
        stored = parse("siret", [BOULANGERIE])
    assert stored.value == BOULANGERIE
    assert stored.data["etat"] == "indisponible" and stored.data["tente_le"]
    assert "non disponibles" in registry.get("siret").display(stored)
    # Checked again before a deposit: the number is valid, the deposit is not blocked.
    registry.get("siret").check(stored, options={})


@pytest.mark.django_db
def test_siret_reuses_what_was_fetched_while_the_number_does_not_change():
    field_type = registry.get("siret")
    first = field_type.parse_champ([BOULANGERIE], options={})
    with adapters.remplacer("entreprise", EntrepriseRechercheEntreprises(transport=failing_transport)):
        again = field_type.parse_champ([BOULANGERIE], options={}, previous=first)
        other = field_type.parse_champ(["84512378500022"], options={}, previous=first)
    assert again is first
    assert other.data["etat"] == "indisponible"


@pytest.mark.django_db
def test_siret_degraded_value_is_looked_up_again_after_a_while():
    field_type = registry.get("siret")
    degraded = StoredValue(value=BOULANGERIE, data={"etat": "indisponible", "tente_le": "2020-01-01T00:00:00+00:00"})
    assert field_type.parse_champ([BOULANGERIE], options={}, previous=degraded).data["etat"] == "ok"
    recent = field_type.parse_champ([BOULANGERIE], options={}, previous=StoredValue(value=BOULANGERIE, data={"etat": "indisponible", "tente_le": "2999-01-01T00:00:00+00:00"}))
    assert recent.data["etat"] == "indisponible"


# RNA -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_rna_fetches_the_association():
    stored = parse("rna", [" w451000123 "])
    assert stored.value == "W451000123"
    assert stored.data["association"]["titre"] == "ASSOCIATION SPORTIVE DES BORDS DE LOIRE"
    assert registry.get("rna").display(stored).splitlines()[:2] == ["W451000123", "ASSOCIATION SPORTIVE DES BORDS DE LOIRE"]
    assert parse("rna", ["W2A1002345"]).data["association"]["commune"] == "Ajaccio"


@pytest.mark.django_db
def test_rna_refusals():
    assert refused("rna", ["451000123"]) == "Le numéro RNA commence par la lettre W suivie de 9 chiffres (par exemple : W751234567)."
    assert refused("rna", ["W45100012"]).startswith("Le numéro RNA commence par la lettre W")
    assert refused("rna", ["W999999999"]) == "Aucune association ne correspond au numéro RNA W999999999 : vérifiez le numéro saisi."


# Lien vers un autre dossier ---------------------------------------------------------------------


@pytest.mark.django_db
def test_dossier_link_must_name_a_deposited_dossier():
    procedure = factories.procedure_creer(instructeurs=[factories.InstructeurFactory()])
    depose = factories.dossier_creer(procedure=procedure, state=Dossier.State.EN_CONSTRUCTION)
    brouillon = factories.dossier_creer(procedure=procedure)
    stored = parse("dossier_link", [f"n° {depose.pk}"])
    assert stored == StoredValue(value=str(depose.pk), data={"dossier_id": depose.pk})
    assert registry.get("dossier_link").display(stored) == f"Dossier n° {depose.pk}"
    assert refused("dossier_link", [str(brouillon.pk)]) == f"Aucun dossier déposé ne porte le numéro {brouillon.pk} : vérifiez le numéro saisi."
    assert refused("dossier_link", ["douze"]) == "Saisissez le numéro du dossier, en chiffres uniquement (par exemple : 1234)."
    assert refused("dossier_link", ["0"]).startswith("Saisissez le numéro du dossier")


# Deux menus déroulants liés ---------------------------------------------------------------------

LINKED = {"choices": ["--Fruits--", "Pomme", "Poire", "--Légumes--", "Carotte", "--Autre--"]}


def test_linked_drop_down_list_stores_both_values():
    stored = parse("linked_drop_down_list", ["Fruits", "Poire"], **LINKED)
    assert stored == StoredValue(value="Fruits / Poire", data={"primary": "Fruits", "secondary": "Poire", "has_secondaries": True})
    assert registry.get("linked_drop_down_list").raw(stored) == ["Fruits", "Poire"]
    assert registry.get("linked_drop_down_list").initial(stored) == {"primary": "Fruits", "secondary": "Poire"}


def test_linked_drop_down_list_refusals():
    assert refused("linked_drop_down_list", ["Fruits", "Carotte"], **LINKED) == "Choisissez une des valeurs proposées pour « Fruits » dans le second menu."
    assert refused("linked_drop_down_list", ["Céréales", ""], **LINKED) == "Choisissez une des valeurs proposées dans le premier menu."
    assert refused("linked_drop_down_list", ["", "Pomme"], **LINKED) == "Choisissez d'abord une valeur dans le premier menu."


def test_linked_drop_down_list_incomplete_counts_as_empty():
    field_type = registry.get("linked_drop_down_list")
    assert field_type.is_empty(parse("linked_drop_down_list", ["Fruits", ""], **LINKED))
    # A first value without second values is complete.
    assert not field_type.is_empty(parse("linked_drop_down_list", ["Autre", ""], **LINKED))
    assert field_type.is_empty(parse("linked_drop_down_list", ["", ""], **LINKED))


def test_linked_drop_down_list_reads_the_second_menu_from_its_own_input():
    raw = registry.get("linked_drop_down_list").raw_from_post(posted({"champ-1": "Fruits", "champ-1-secondaire": "Pomme"}), "champ-1")
    assert raw == ["Fruits", "Pomme"]


# Choix simple: « Autre », radios, liste, recherche -----------------------------------------------

SMALL = {"choices": ["Création", "Modification"]}
MEDIUM = {"choices": [f"Option {i}" for i in range(1, 8)]}
LARGE = {"choices": [f"Commune {i:02d}" for i in range(1, 25)]}


def test_drop_down_widget_mode_depends_on_the_number_of_options():
    field_type = registry.get("drop_down_list")
    assert field_type.mode(SMALL) == "radios"
    assert field_type.mode({"choices": ["a", "b", "c", "d", "e"]}) == "radios"
    assert field_type.mode({"choices": ["a", "b", "c", "d", "e"], "other": True}) == "select"
    assert field_type.mode(MEDIUM) == "select"
    assert field_type.mode(LARGE) == "recherche"


def test_drop_down_autre_stores_the_free_text():
    stored = parse("drop_down_list", [AUTRE, "  Transfert  "], other=True, **SMALL)
    assert stored == StoredValue(value="Transfert", data={"autre": True})
    field_type = registry.get("drop_down_list")
    assert field_type.raw(stored) == [AUTRE, "Transfert"]
    assert field_type.initial(stored) == AUTRE
    assert field_type.display(stored) == "Transfert"
    message = refused("drop_down_list", [AUTRE, ""], other=True, **SMALL)
    assert message == "Vous avez choisi « Autre » : précisez votre réponse dans la zone de texte."
    assert refused("drop_down_list", [AUTRE, "x"], **SMALL) == "Choisissez une des valeurs proposées."


def test_drop_down_searchable_list_matches_case_insensitively_and_takes_free_text_as_autre():
    assert parse("drop_down_list", ["commune 07"], **LARGE).value == "Commune 07"
    assert refused("drop_down_list", ["Commune 99"], **LARGE) == "Choisissez une des valeurs de la liste (commencez à taper pour la filtrer)."
    assert parse("drop_down_list", ["Commune 99"], other=True, **LARGE) == StoredValue(value="Commune 99", data={"autre": True})


def test_drop_down_group_titles_are_not_selectable_and_group_the_options():
    options = {"choices": ["--Particuliers--", "Création", "Modification", "--Entreprises--", "Transfert", "Cession", "Fermeture", "Reprise"]}
    assert refused("drop_down_list", ["--Particuliers--"], **options) == "Choisissez une des valeurs proposées."
    context = registry.get("drop_down_list").widget_context(options=options, stored=StoredValue())
    assert context["groups"] == [("Particuliers", ["Création", "Modification"]), ("Entreprises", ["Transfert", "Cession", "Fermeture", "Reprise"])]


def test_drop_down_keeps_an_invalid_autre_to_be_corrected():
    field_type = registry.get("drop_down_list")
    assert field_type.keep_invalid([AUTRE, ""]) == StoredValue(value="", data={"autre": True})
    assert not field_type.is_empty(field_type.keep_invalid([AUTRE, ""]))


# Titre de section, explication -------------------------------------------------------------------


@pytest.mark.parametrize("options, level", [({}, 1), ({"level": 2}, 2), ({"level": "3"}, 3), ({"level": 9}, 3), ({"level": "x"}, 1)])
def test_header_section_levels(options, level):
    assert registry.get("header_section").level(options) == level
    assert registry.get("header_section").section_level(options) == level
    assert registry.get("text").section_level(options) is None


# Localisation ----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "raw, label, insee",
    [
        ("Lyon (69003)", "Lyon (69003)", "69123"),
        ("lyon  (69003)", "Lyon (69003)", "69123"),
        ("75015", "Paris (75015)", "75056"),
        ("Saint-Étienne (42100)", "Saint-Étienne (42100)", "42218"),
        ("bourg en bresse", "Bourg-en-Bresse (01000)", "01053"),
        ("Nouméa", "Nouméa (98800)", "98818"),
    ],
)
def test_communes_resolve_names_and_postal_codes(raw, label, insee):
    stored = parse("communes", [raw])
    assert stored.value == label
    assert stored.data["code_insee"] == insee
    assert set(stored.data) == {"code_insee", "nom", "code_postal", "departement", "region"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "raw, message",
    [
        ("01000", "Plusieurs communes ont le code postal 01000 : précisez laquelle, par exemple « Bourg-en-Bresse (01000) »."),
        ("Saint-Denis", "Plusieurs communes s'appellent « Saint-Denis » : précisez le code postal, par exemple « Saint-Denis (97400) »."),
        ("Lyon", "La commune « Lyon » a plusieurs codes postaux : précisez le vôtre, par exemple « Lyon (69001) »."),
        ("Lyon (75001)", "Aucune commune « Lyon » n'a le code postal 75001 : choisissez une des communes proposées."),
        ("99999", "Aucune commune n'a le code postal 99999 : vérifiez-le."),
        ("Atlantide", "Aucune commune ne s'appelle « Atlantide » : tapez le début de son nom ou son code postal, puis choisissez-la dans la liste."),
    ],
)
def test_communes_refusals_say_what_is_missing(raw, message):
    assert refused("communes", [raw]) == message


@pytest.mark.django_db
def test_communes_condition_value_carries_departement_and_region():
    stored = parse("communes", ["Lyon (69003)"])
    assert registry.get("communes").condition_value(stored) == {"code": "69123", "departement": "69", "region": "84"}


@pytest.mark.django_db
def test_departements_regions_pays():
    stored = parse("departements", ["2A"])
    assert stored == StoredValue(value="2A", data={"code": "2A", "nom": "Corse-du-Sud", "region": "94"})
    assert registry.get("departements").display(stored) == "2A – Corse-du-Sud"
    assert parse("departements", ["Rhône"]).value == "69"
    assert refused("departements", ["100"]) == "Choisissez un département de la liste."
    region = parse("regions", ["84"])
    assert registry.get("regions").display(region) == "Auvergne-Rhône-Alpes"
    assert parse("regions", ["bretagne"]).value == "53"
    # A collectivité d'outre-mer is not a région.
    assert refused("regions", ["988"]) == "Choisissez une région de la liste."
    pays = parse("pays", ["de"])
    assert pays == StoredValue(value="DE", data={"code": "DE", "nom": "Allemagne"})
    assert parse("pays", ["Côte d'Ivoire"]).value == "CI"
    assert refused("pays", ["Atlantide"]) == "Choisissez un pays de la liste."


@pytest.mark.django_db
def test_departements_list_every_departement_and_regions_the_eighteen():
    departements = registry.get("departements").widget_context(options={}, stored=StoredValue())["choices"]
    regions = registry.get("regions").widget_context(options={}, stored=StoredValue())["choices"]
    pays = registry.get("pays").widget_context(options={}, stored=StoredValue())["choices"]
    assert len(departements) == 109 and departements[0] == ("01", "01 – Ain")
    assert len(regions) == 18
    assert len(pays) == 249 and ("FR", "France") in pays


@pytest.mark.django_db
def test_epci_is_chosen_within_a_departement():
    stored = parse("epci", ["69", "200046977"])
    assert stored == StoredValue(value="200046977", data={"code": "200046977", "nom": "Métropole de Lyon", "departement": "69"})
    field_type = registry.get("epci")
    assert field_type.raw(stored) == ["69", "200046977"]
    assert field_type.display(stored) == "Métropole de Lyon"
    # The département changed after the EPCI was chosen: the EPCI must be chosen again.
    moved = parse("epci", ["75", "200046977"])
    assert moved == StoredValue(data={"departement": "75"}) and field_type.is_empty(moved)
    assert parse("epci", ["69", ""]) == StoredValue(data={"departement": "69"})
    assert refused("epci", ["69", "123"]) == "Choisissez un EPCI de la liste."
    assert refused("epci", ["100", ""]) == "Choisissez un département de la liste."
    context = field_type.widget_context(options={}, stored=stored)
    assert ("200046977", "Métropole de Lyon") in context["epcis"]


# Adresse ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_adresse_found_is_stored_structured():
    stored = parse("address", ["12 rue de la République 69002 Lyon"])
    assert stored.value == "12 Rue de la République 69002 Lyon"
    adresse = stored.data["adresse"]
    assert stored.data["etat"] == "ok"
    assert (adresse["numero"], adresse["voie"], adresse["code_postal"], adresse["commune"], adresse["code_insee"]) == (
        "12", "Rue de la République", "69002", "Lyon", "69123",
    )
    assert (adresse["departement"], adresse["departement_nom"], adresse["region"], adresse["region_nom"]) == ("69", "Rhône", "84", "Auvergne-Rhône-Alpes")
    assert adresse["latitude"] and adresse["longitude"]
    assert registry.get("address").condition_value(stored) == {"code": "69123", "departement": "69", "region": "84"}


@pytest.mark.django_db
def test_adresse_not_found_is_kept_as_typed():
    stored = parse("address", ["Lieu-dit Les Granges 48000 Mende"])
    assert stored == StoredValue(value="Lieu-dit Les Granges 48000 Mende", data={"etat": "non_trouvee"})
    assert registry.get("address").display(stored).endswith("(adresse saisie librement, non trouvée dans la Base Adresse Nationale)")


@pytest.mark.django_db
def test_adresse_degraded_mode_keeps_the_text():
    from demarches.referentiels.adapters.adresse import AdresseBAN

    with adapters.remplacer("adresse", AdresseBAN(transport=failing_transport)):
        stored = parse("address", ["20 Avenue de Ségur 75007 Paris"])
    assert stored.value == "20 Avenue de Ségur 75007 Paris"
    assert stored.data["etat"] == "indisponible"
    assert refused("address", ["ab"]) == "Saisissez une adresse complète : numéro, voie, code postal et commune."


# Bloc répétable --------------------------------------------------------------------------------


def test_repetition_parse_keeps_ordered_row_ids():
    assert parse("repetition", ["1", "a3f0", "1"]) == StoredValue(data={"rows": ["1", "a3f0"]})
    assert parse("repetition", []) == StoredValue(data={"rows": ["1"]})
    assert refused("repetition", ["../x"]) == "Les lignes de ce bloc sont illisibles : rechargez la page."
    assert registry.get("repetition").is_empty(StoredValue(data={"rows": ["1"]}))
    assert registry.get("repetition").has_children
