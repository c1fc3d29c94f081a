"""Each PDF rendered and read back with an independent extractor (pypdf)."""

import pytest

from demarches.documents import contenu, pdfs, renderers, services
from demarches.documents.models import AttestationKind
from demarches.dossiers import transitions
from demarches.dossiers.models import Champ, Dossier
from demarches.instruction import services as instruction_services
from demarches.procedures.models import TypeDeChamp
from tests import factories

from .conftest import deposer, instruire, pdf_text

pytestmark = pytest.mark.django_db


def test_dossier_pdf_for_the_usager_lists_identity_state_answers_and_attachments(procedure):
    dossier = deposer(procedure)

    text = pdf_text(pdfs.dossier_pdf(dossier, lecteur="usager"))

    assert f"Dossier n° {dossier.pk}" in text
    assert "Ouverture d'une crèche" in text
    assert "En construction" in text
    for expected in ("Mme", "Lefèvre", "Hélène", dossier.user.email):
        assert expected in text
    for expected in ("Nom du projet Les petits pas", "Une crèche de 24 places au centre-ville.", "Nombre de places 24",
                     "Date d'ouverture 1 septembre 2026", "Établissement existant Non", "Votre projet"):
        assert expected in text
    assert "plan-des-locaux.pdf (2,0 Kio)" in text
    # Instructeurs' matters never reach the usager.
    assert "Annotations privées" not in text
    assert "Avis externes" not in text
    assert "Historique" not in text


def test_dossier_pdf_shows_the_decision_and_its_motivation(procedure, instructeur):
    dossier = instruire(deposer(procedure), instructeur)
    transitions.refuser(dossier=dossier, instructeur=instructeur, motivation="Le plan des locaux est illisible.")
    dossier.refresh_from_db()

    text = pdf_text(pdfs.dossier_pdf(dossier, lecteur="usager"))

    assert "État Refusé" in text
    assert "Motivation de la décision Le plan des locaux est illisible." in text


def test_dossier_pdf_for_an_instructeur_adds_annotations_avis_and_history_on_request(procedure, instructeur):
    dossier = instruire(deposer(procedure), instructeur)
    annotation = TypeDeChamp.objects.create(
        revision=dossier.revision, stable_id=9001, type_champ="text", libelle="Avis du référent", private=True
    )
    Champ.objects.create(dossier=dossier, type_de_champ=annotation, stable_id=9001, value="Visite faite le 3 mars")
    expert = factories.UserFactory()
    avis = instruction_services.avis_demander(
        dossier=dossier, instructeur=instructeur, expert_email=expert.email, introduction="Les locaux sont-ils adaptés ?"
    )
    instruction_services.avis_donner(avis=avis, expert=factories.ExpertFactory._meta.model.objects.get(user=expert),
                                     answer="Oui, après travaux.")

    plain = pdf_text(pdfs.dossier_pdf(dossier, lecteur="instructeur"))
    full = pdf_text(pdfs.dossier_pdf(dossier, lecteur="instructeur", avec_annotations=True, avec_avis=True))

    assert "Avis du référent" not in plain and "Les locaux sont-ils adaptés" not in plain
    assert "Historique des changements d'état" in plain
    assert "Annotations privées Avis du référent Visite faite le 3 mars" in full
    assert f"Avis de {expert.email}" in full
    assert "Question : Les locaux sont-ils adaptés ?" in full
    assert "Oui, après travaux." in full


def test_the_expert_reads_the_answers_but_no_annotation_nor_avis(procedure, instructeur):
    dossier = instruire(deposer(procedure), instructeur)

    text = pdf_text(pdfs.dossier_pdf(dossier, lecteur="expert", avec_annotations=True, avec_avis=True))

    assert "Les petits pas" in text
    assert "Annotations privées" not in text and "Avis externes" not in text and "Historique" not in text


def test_accuse_de_depot_states_when_what_and_the_digest_of_the_deposited_content(procedure, run_on_commit):
    dossier = deposer(procedure)
    accuse = services.accuse_depot_enregistrer(dossier_id=dossier.pk)

    text = pdf_text(pdfs.accuse_depot_pdf(accuse))

    assert "Accusé de dépôt" in text
    assert f"Numéro du dossier {dossier.pk}" in text
    assert "Démarche Ouverture d'une crèche" in text
    assert "Demandeur Hélène Lefèvre" in text
    assert "(heure de Paris)" in text
    assert contenu.empreinte(dossier) in text.replace(" ", "")
    assert accuse.code in text
    assert renderers.verification_url(accuse.code) in text.replace(" ", "")


def test_attestation_replaces_every_tag_with_the_dossier_values(procedure, instructeur, administrateur):
    services.attestation_modele_enregistrer(
        procedure=procedure, administrateur=administrateur, kind=AttestationKind.ACCEPTATION, activated=True,
        title="Autorisation n° --numéro du dossier--",
        body="Madame --nom-- --prénom--, votre projet « --Nom du projet-- » (--libellé démarche--) est accepté le "
             "--date de décision--.\n\nMotif : --motivation--\n\n--Nombre de places-- places.",
        footer="--nom du service--",
    )
    dossier = instruire(deposer(procedure), instructeur)
    transitions.accepter(dossier=dossier, instructeur=instructeur, motivation="Conforme au règlement.")

    attestation = services.attestation_generer(dossier_id=dossier.pk)

    text = pdf_text(attestation.file.read())
    assert f"Autorisation n° {dossier.pk}" in text
    assert "Madame Lefèvre Hélène, votre projet « Les petits pas » (Ouverture d'une crèche) est accepté le" in text
    assert "Motif : Conforme au règlement." in text
    assert "24 places." in text
    assert "Service des autorisations" in text
    assert "--" not in text.replace("—", "")
    assert attestation.code in text


def test_rendering_refuses_any_resource_but_inline_data_and_bundled_fonts():
    fetcher = renderers._LocalOnlyFetcher()
    for url in ("http://169.254.169.254/latest/meta-data", "file:///etc/passwd", "ftp://exemple.fr/x.png"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert fetcher.fetch(renderers.data_uri(b"abc", "text/plain")).read() == b"abc"
    assert renderers.fonts(), "Marianne doit être trouvée dans les fichiers statiques du DSFR"


def test_repetition_blocks_are_printed_row_by_row_and_part_of_the_digest(administrateur):
    from demarches.documents import contenu
    from demarches.procedures import services as procedure_services

    procedure = factories.procedure_creer(
        administrateur=administrateur, instructeurs=[factories.InstructeurFactory()], publier=False,
        champs=[("text", "Nom du projet", False), ("repetition", "Salariés", False)],
    )
    bloc = procedure.draft_revision.types_de_champ.get(libelle="Salariés")
    for position, libelle in enumerate(("Nom du salarié", "Fonction"), start=1):
        TypeDeChamp.objects.create(
            revision=procedure.draft_revision, stable_id=procedure_services.next_stable_id(), type_champ="text",
            libelle=libelle, parent=bloc, position=position,
        )
    procedure = procedure_services.procedure_publier(procedure=procedure, administrateur=administrateur, path="salaries")
    dossier = factories.dossier_creer(procedure=procedure, state=Dossier.State.EN_CONSTRUCTION)
    types = {t.libelle: t for t in dossier.revision.types_de_champ.all()}
    Champ.objects.create(dossier=dossier, type_de_champ=types["Salariés"], stable_id=types["Salariés"].stable_id,
                         value="résumé", data={"rows": ["b2", "a1", "c3"]})
    for row, nom, fonction in (("a1", "Paul Martin", "Cuisinier"), ("b2", "Inès Roy", "Directrice")):
        for libelle, value in (("Nom du salarié", nom), ("Fonction", fonction)):
            Champ.objects.create(dossier=dossier, type_de_champ=types[libelle], stable_id=types[libelle].stable_id,
                                 row_id=row, value=value)
    before = contenu.empreinte(dossier)

    text = pdf_text(pdfs.dossier_pdf(dossier, lecteur="usager"))

    assert "Salariés Ligne 1 Nom du salarié Inès Roy Fonction Directrice Ligne 2 Nom du salarié Paul Martin" in text
    assert "Ligne 3" not in text, "an empty row is not printed"
    Champ.objects.filter(dossier=dossier, row_id="a1", value="Cuisinier").update(value="Chef cuisinier")
    assert contenu.empreinte(dossier) != before
