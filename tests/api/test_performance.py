"""A page of dossiers with all their champs costs a bounded number of queries, whatever its size."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from demarches.dossiers.models import Champ, Commentaire, Dossier
from demarches.instruction import services as instruction_services
from demarches.instruction.models import Avis, DossierLabel
from tests import factories

from .conftest import dossier_en_construction
from .documents import EXPORT_PAGE


def _fill(demarche, count):
    template = dossier_en_construction(demarche, 1)
    instructeur = demarche.default_groupe.instructeurs.first()
    expert = factories.ExpertFactory()
    labels = instruction_services.labels_de_la_procedure(demarche)
    for numero in range(2, count + 1):
        dossier = factories.dossier_creer(procedure=demarche, state=Dossier.State.EN_CONSTRUCTION)
        Champ.objects.bulk_create([
            Champ(dossier=dossier, type_de_champ_id=c.type_de_champ_id, stable_id=c.stable_id, value=c.value, data=c.data)
            for c in template.champs.all()
        ])
        Commentaire.objects.create(dossier=dossier, email=instructeur.user.email, instructeur=instructeur, body=f"Message {numero}")
        Avis.objects.create(dossier=dossier, expert=expert, claimant=instructeur, introduction="Votre avis ?", answer="Favorable")
        DossierLabel.objects.bulk_create([DossierLabel(dossier=dossier, label=label) for label in labels[: numero % 3]])


def _queries(gql, secret, demarche, first):
    with CaptureQueriesContext(connection) as captured:
        status, body, _ = gql(secret, EXPORT_PAGE, {"number": demarche.pk, "first": first})
    assert status == 200 and "errors" not in body, body.get("errors")
    assert len(body["data"]["demarche"]["dossiers"]["nodes"]) == first
    return len(captured.captured_queries)


def test_query_count_does_not_grow_with_the_page_size(gql, jeton, demarche, django_assert_max_num_queries):
    # Given 50 dossiers with their champs, a file, a message and an avis each
    _fill(demarche, 50)
    # When a page of 10, then a page of 50, is read with everything (after a first request, which
    # also records the token's use)
    _queries(gql, jeton[1], demarche, 1)
    small = _queries(gql, jeton[1], demarche, 10)
    large = _queries(gql, jeton[1], demarche, 50)
    # Then both cost the same (bounded) number of queries
    assert small == large
    with django_assert_max_num_queries(small):
        _queries(gql, jeton[1], demarche, 50)
    assert small <= 16


def test_fast_date_display_matches_django_formatting():
    """Dates are displayed without Django's format parser (fields.types.basic.jour_mois_annee): same text."""
    import datetime

    from django.utils import formats, translation

    from demarches.fields import registry
    from demarches.fields.registry import StoredValue
    from demarches.fields.types.basic import jour_mois_annee

    date, date_time = registry.get("date"), registry.get("datetime")

    for language in ("fr", "en"):
        with translation.override(language):
            for n in range(0, 400):
                day = datetime.date(1900, 1, 1) + datetime.timedelta(days=n * 97)
                assert jour_mois_annee(day) == formats.date_format(day, "j F Y")
                moment = datetime.datetime.combine(day, datetime.time(n % 24, (n * 7) % 60))
                assert date_time.display(StoredValue(value=moment.isoformat())) == formats.date_format(moment, "j F Y à H:i")
                assert date.display(StoredValue(value=day.isoformat())) == formats.date_format(day, "j F Y")
    with translation.override("fr"):
        assert jour_mois_annee(datetime.date(2026, 3, 15)) == "15 mars 2026"
