"""The pure tag module: substitution, unknown tags, escaping."""

from demarches.procedures import mail_tags


def test_every_fixed_tag_is_replaced_by_its_value():
    valeurs = {b.name: f"<valeur {i}>" for i, b in enumerate(mail_tags.FIXED)}
    text = " | ".join(b.tag for b in mail_tags.FIXED)
    result = mail_tags.substituer(text, valeurs)
    assert result == " | ".join(f"<valeur {i}>" for i in range(len(mail_tags.FIXED)))
    assert "--" not in result


def test_names_match_ignoring_case_and_repeated_spaces():
    assert mail_tags.substituer("n° --Numéro  du DOSSIER--.", {"numéro du dossier": "42"}) == "n° 42."


def test_unknown_tags_stay_as_typed_and_are_reported_once():
    text = "Bonjour --prénom--, votre --budget-- et --budget-- et --Adresse du projet--"
    assert mail_tags.substituer(text, {"prénom": "Camille"}) == "Bonjour Camille, votre --budget-- et --budget-- et --Adresse du projet--"
    assert mail_tags.balises_inconnues(text, ["prénom", "adresse du projet"]) == ["--budget--"]
    assert mail_tags.balises_inconnues("Sans balise -- ni tiret double", ["prénom"]) == []


def test_message_of_unknown_tags_is_french():
    assert mail_tags.message_inconnues(["--budget--"]) == (
        "La balise --budget-- n'existe pas pour cette démarche. Copiez une balise de la liste des balises disponibles."
    )
    assert "Les balises --a--, --b-- n'existent pas" in mail_tags.message_inconnues(["--a--", "--b--"])


def test_values_are_not_reinterpreted_as_tags():
    # A value containing a tag is inserted as is, not substituted again.
    assert mail_tags.substituer("--nom-- --prénom--", {"nom": "--prénom--", "prénom": "Camille"}) == "--prénom-- Camille"


def test_html_mode_escapes_text_and_values():
    result = mail_tags.substituer("<b>--nom--</b> & --inconnue--", {"nom": "<script>x</script>"}, html=True)
    assert result == "&lt;b&gt;&lt;script&gt;x&lt;/script&gt;&lt;/b&gt; &amp; --inconnue--"
    # plain-text mode leaves everything as typed (e-mails are plain text)
    assert mail_tags.substituer("<b>--nom--</b>", {"nom": "a & b"}) == "<b>a & b</b>"


def test_champ_tags_skip_duplicates_and_fixed_names():
    balises = mail_tags.balises_de_champs([("Budget", False), ("budget", True), ("Nom", False), ("Avis du service", True)])
    assert [b.tag for b in balises] == ["--Budget--", "--Avis du service--"]
    assert balises[1].description == "la valeur de l'annotation privée « Avis du service »"
