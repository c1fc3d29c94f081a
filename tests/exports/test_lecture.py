"""Reading ahead (exports.selectors._en_avance): the next chunks of dossiers are read by a second
thread while the job writes; same rows, same order, errors and early stops handled."""

import threading

import pytest
from django.db import connection

from demarches.exports import selectors, services
from demarches.exports.models import Export

from .conftest import deposer, remplir
from .readers import read


def _threads():
    return [t for t in threading.enumerate() if t.name == "export-lecture"]


@pytest.mark.parametrize("enabled", [True, False])
def test_items_come_in_order_from_the_reading_thread(enabled):
    seen = []

    def produce():
        for number in range(10):
            seen.append(threading.current_thread().name)
            yield number

    assert list(selectors._en_avance(produce, enabled=enabled)) == list(range(10))
    assert set(seen) == {"export-lecture" if enabled else threading.current_thread().name}
    assert _threads() == []


def test_an_error_of_the_reading_thread_is_raised_to_the_job():
    def produce():
        yield 1
        raise RuntimeError("base indisponible")

    items = selectors._en_avance(produce, enabled=True)
    assert next(items) == 1
    with pytest.raises(RuntimeError, match="base indisponible"):
        next(items)
    assert _threads() == []


def test_stopping_early_stops_the_reading_thread():
    produced = []

    def produce():
        for number in range(1000):
            produced.append(number)
            yield number

    items = selectors._en_avance(produce, enabled=True)
    assert next(items) == 0
    items.close()  # the writer failed: the job stops reading
    assert _threads() == [] and len(produced) < 10


@pytest.mark.django_db
def test_inside_a_transaction_the_job_reads_in_its_own_thread():
    # a second connection would not see the transaction's rows
    assert not selectors._lecture_en_avance_possible("default")


@pytest.mark.django_db(transaction=True)
def test_the_export_read_ahead_on_postgresql_writes_the_same_file(instructeur, demarche, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("lecture en avance : PostgreSQL seulement")
    # given dossiers committed to the database, over several chunks
    for number in range(7):
        dossier = deposer(demarche)
        remplir(dossier, **{"Nom du projet": f"Projet {number}", "Nombre de participants": str(number)})
    monkeypatch.setattr(selectors, "CHUNK_SIZE", 3)
    assert selectors._lecture_en_avance_possible("default")

    def produire():
        export, _ = services.export_demander(instructeur=instructeur, procedure=demarche, format="csv", statut="tous")
        Export.objects.filter(pk=export.pk).update(key=f"{export.key};{export.pk}")  # never reused
        export = services.export_generer(export_id=export.pk)
        assert export.status == Export.Status.DONE, export.error
        return read(export.file.path, "csv")["Dossiers"]

    # when exported with and without reading ahead (which pivots half of each chunk in a thread of
    # its own), and champ by champ, then the files hold the same rows
    ahead = produire()
    monkeypatch.setattr(selectors, "READ_AHEAD", False)
    assert produire() == ahead and len(ahead) == 8
    monkeypatch.setattr(selectors, "READ_PIVOT", False)
    assert produire() == ahead
    assert _threads() == [] and not [t for t in threading.enumerate() if t.name.startswith("export-pivot")]
