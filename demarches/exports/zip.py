"""Dossiers as one streamed ZIP: each dossier's PDF and all its attachments, in a folder per dossier.

The archive is produced as an iterator of bytes (zipstream-ng): entries of one dossier are queued,
streamed, then the next dossier is read, so memory holds one dossier (and one attachment chunk) at
a time whatever the number of dossiers. Attachments are read from the storage in chunks.

Layout of a dossier's folder (names by default, the folder and PDF names come from a modèle d'export):

    dossier-123/
        dossier-123.pdf                     every answer, annotations privées and avis
        attestation-123.pdf                 the attestation in force, if any
        pieces_justificatives/<champ>-<file>
        annotations_privees/<annotation>-<file>
        messagerie/<date>-<file>
        avis/<file>                         files attached to avis, if the avis carries any
        decision/<file>                     the justificatif of the decision
"""

import posixpath
import re
import string
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import models as db_models
from django.utils import timezone
from zipstream import ZIP_STORED, ZipStream

from demarches.dossiers.models import Commentaire, Dossier, PieceJointe

READ_CHUNK = 256 * 1024
DOSSIER_CHUNK = getattr(settings, "EXPORT_ZIP_CHUNK_SIZE", 50)
MAX_NAME = 150

# Tags usable in the names of a modèle d'export, with what they are replaced by.
TAGS = {
    "numero": "le numéro du dossier",
    "demarche": "le numéro de la démarche",
    "demandeur": "le nom du demandeur (ou la raison sociale)",
    "depose_le": "la date de dépôt (AAAA-MM-JJ)",
    "etat": "l'état du dossier",
    "groupe": "le groupe instructeur",
}
NOM_DOSSIER_DEFAUT = "dossier-{numero}"
NOM_PDF_DEFAUT = "dossier-{numero}"
UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")


@dataclass(frozen=True)
class Nommage:
    nom_dossier: str = NOM_DOSSIER_DEFAUT
    nom_pdf: str = NOM_PDF_DEFAUT


def tags_du_modele(pattern: str) -> list[str]:
    """The tags a naming pattern uses; raises ValueError on a malformed pattern ("{" not closed…)."""
    names = []
    for _literal, name, spec, conversion in string.Formatter().parse(pattern):
        if name is None:
            continue
        if spec or conversion or not name.isidentifier():
            raise ValueError(name)
        names.append(name)
    return names


def erreurs_de_nommage(pattern: str, *, numero_requis: bool) -> list[str]:
    """What is wrong with a naming pattern, in French (empty when it is valid)."""
    if not pattern.strip():
        return ["Indiquez un nom."]
    try:
        names = tags_du_modele(pattern)
    except ValueError:
        return ["Les balises s'écrivent entre accolades, par exemple {numero}."]
    errors = []
    unknown = sorted({name for name in names if name not in TAGS})
    if unknown:
        errors.append("Balise inconnue : " + ", ".join("{" + n + "}" for n in unknown) + ".")
    if numero_requis and "numero" not in names:
        errors.append("Le nom doit contenir la balise {numero}, pour que chaque dossier ait son propre dossier.")
    return errors


def nettoyer(name: str, *, fallback: str = "fichier") -> str:
    """A file or folder name that every system accepts: no separators, no control characters."""
    name = unicodedata.normalize("NFC", name or "")
    name = UNSAFE.sub("_", name).strip().strip(".").strip()
    if len(name) > MAX_NAME:
        stem, ext = posixpath.splitext(name)
        name = stem[: MAX_NAME - len(ext)] + ext
    return name or fallback


def _valeurs(dossier: Dossier) -> dict[str, str]:
    depose = timezone.localtime(dossier.depose_at).strftime("%Y-%m-%d") if dossier.depose_at else ""
    groupe = dossier.groupe_instructeur.label if dossier.groupe_instructeur_id else ""
    return {
        "numero": str(dossier.pk),
        "demarche": str(dossier.procedure_id),
        "demandeur": dossier.demandeur,
        "depose_le": depose,
        "etat": dossier.get_state_display(),
        "groupe": groupe,
    }


def nom_rendu(pattern: str, dossier: Dossier, *, fallback: str) -> str:
    values = _valeurs(dossier)
    try:
        rendered = "".join(
            literal + (values.get(name, "") if name is not None else "")
            for literal, name, _spec, _conv in string.Formatter().parse(pattern)
        )
    except ValueError:
        rendered = ""
    return nettoyer(rendered, fallback=fallback)


class Noms:
    """Unique names inside one folder: a second "a.pdf" becomes "a (2).pdf"."""

    def __init__(self):
        self.used: set[str] = set()

    def unique(self, name: str) -> str:
        candidate, index = name, 1
        stem, ext = posixpath.splitext(name)
        while candidate.lower() in self.used:
            index += 1
            candidate = f"{stem} ({index}){ext}"
        self.used.add(candidate.lower())
        return candidate


def _lire(field_file) -> Iterator[bytes]:
    with field_file.storage.open(field_file.name, "rb") as handle:
        while chunk := handle.read(READ_CHUNK):
            yield chunk


def _existe(field_file) -> bool:
    try:
        return bool(field_file) and field_file.storage.exists(field_file.name)
    except OSError:
        return False


def _pdf(dossier: Dossier) -> Iterator[bytes]:
    # Rendered only when the ZIP reaches this entry (lazily), one dossier at a time.
    from demarches.documents import pdfs

    yield pdfs.dossier_pdf(dossier, lecteur="instructeur", avec_annotations=True, avec_avis=True)


@dataclass
class PieceAExporter:
    dossier_id: int
    dossier_folder: str  # "pieces_justificatives", "messagerie"…
    filename: str
    field_file: object


def _avis_file_fields() -> list[str]:
    """The file fields of an avis (an expert may attach a file to his avis), if the model has any."""
    from demarches.instruction.models import Avis

    return [f.name for f in Avis._meta.concrete_fields if isinstance(f, db_models.FileField)]


def pieces_des_dossiers(dossier_ids: list[int]) -> dict[int, list[PieceAExporter]]:
    """Every attachment of some dossiers, by dossier, with a query per kind (not per dossier)."""
    from demarches.instruction.models import Avis

    result: dict[int, list[PieceAExporter]] = {pk: [] for pk in dossier_ids}
    pieces = (
        PieceJointe.objects.filter(champ__dossier_id__in=dossier_ids)
        .select_related("champ__type_de_champ")
        .order_by("champ__dossier_id", "champ__type_de_champ__position", "champ__row_id", "created_at", "id")
    )
    for piece in pieces:
        tdc = piece.champ.type_de_champ
        if not getattr(tdc.field_type, "files_in_exports", True):
            continue  # identity documents never leave the dossier
        folder = "annotations_privees" if tdc.private else "pieces_justificatives"
        name = f"{tdc.libelle}-{piece.filename or posixpath.basename(piece.file.name)}"
        result[piece.champ.dossier_id].append(PieceAExporter(piece.champ.dossier_id, folder, name, piece.file))
    messages = (
        Commentaire.objects.filter(dossier_id__in=dossier_ids)
        .exclude(piece_jointe="")
        .order_by("dossier_id", "created_at", "id")
        .only("dossier_id", "piece_jointe", "piece_jointe_filename", "created_at")
    )
    for message in messages:
        stamp = timezone.localtime(message.created_at).strftime("%Y-%m-%d_%H-%M")
        original = message.piece_jointe_filename or posixpath.basename(message.piece_jointe.name)
        result[message.dossier_id].append(PieceAExporter(message.dossier_id, "messagerie", f"{stamp}-{original}", message.piece_jointe))
    avis_fields = _avis_file_fields()
    if avis_fields:
        for avis in Avis.objects.filter(dossier_id__in=dossier_ids).order_by("dossier_id", "created_at", "id"):
            for name in avis_fields:
                field_file = getattr(avis, name)
                if field_file:
                    result[avis.dossier_id].append(
                        PieceAExporter(avis.dossier_id, "avis", f"avis-{avis.pk}-{posixpath.basename(field_file.name)}", field_file)
                    )
    return result


def _attestations(dossiers: list[Dossier]) -> dict[int, object]:
    """The attestation in force of each dossier that has one (its current decision's, generated)."""
    from demarches.documents.models import Attestation
    from demarches.documents.selectors import attestation_correspond

    by_pk = {d.pk: d for d in dossiers}
    found = {}
    for attestation in Attestation.objects.filter(dossier_id__in=list(by_pk), revoked_at__isnull=True).exclude(file=""):
        if attestation_correspond(attestation, by_pk[attestation.dossier_id]):
            found[attestation.dossier_id] = attestation
    return found


def entrees_du_dossier(
    dossier: Dossier, pieces: list[PieceAExporter], *, nommage: Nommage, attestation=None, dossiers_pris: Noms
) -> list[tuple[str, Iterable[bytes]]]:
    """The (archive name, content) of one dossier's folder; contents are lazy iterators."""
    folder = dossiers_pris.unique(nom_rendu(nommage.nom_dossier, dossier, fallback=f"dossier-{dossier.pk}"))
    noms = Noms()
    entries = [(f"{folder}/{noms.unique(nom_rendu(nommage.nom_pdf, dossier, fallback=f'dossier-{dossier.pk}') + '.pdf')}", _pdf(dossier))]
    if attestation is not None and _existe(attestation.file):
        entries.append((f"{folder}/{noms.unique(f'attestation-{dossier.pk}.pdf')}", _lire(attestation.file)))
    par_dossier: dict[str, Noms] = {}
    for piece in pieces:
        if not _existe(piece.field_file):
            continue
        sous = par_dossier.setdefault(piece.dossier_folder, Noms())
        entries.append((f"{folder}/{piece.dossier_folder}/{sous.unique(nettoyer(piece.filename))}", _lire(piece.field_file)))
    if dossier.justificatif_motivation and _existe(dossier.justificatif_motivation):
        name = nettoyer(posixpath.basename(dossier.justificatif_motivation.name))
        entries.append((f"{folder}/decision/{name}", _lire(dossier.justificatif_motivation)))
    return entries


DOSSIER_RELATED = ("procedure__service", "revision", "user", "groupe_instructeur")


def _par_paquets(dossiers: Iterable[Dossier], size: int) -> Iterator[list[Dossier]]:
    chunk: list[Dossier] = []
    for dossier in dossiers:
        chunk.append(dossier)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def flux_zip(
    dossiers: Iterable[Dossier], *, nommage: Nommage | None = None, on_dossier: Callable[[int], None] | None = None,
    chunk_size: int | None = None,
) -> Iterator[bytes]:
    """The ZIP of some dossiers, as a stream of bytes. on_dossier(done) is called after each dossier."""
    nommage = nommage or Nommage()
    stream = ZipStream(compress_type=ZIP_STORED)
    stream.comment = "Dossiers exportés de la plateforme Démarches"
    dossiers_pris = Noms()
    done = 0
    for chunk in _par_paquets(dossiers, chunk_size or DOSSIER_CHUNK):
        ids = [d.pk for d in chunk]
        pieces = pieces_des_dossiers(ids)
        attestations = _attestations(chunk)
        for dossier in chunk:
            for arcname, content in entrees_du_dossier(
                dossier, pieces[dossier.pk], nommage=nommage, attestation=attestations.get(dossier.pk),
                dossiers_pris=dossiers_pris,
            ):
                stream.add(content, arcname)
            yield from stream.all_files()
            done += 1
            if on_dossier is not None:
                on_dossier(done)
    yield from stream.footer()


def dossiers_pour_zip(queryset, *, chunk_size: int | None = None) -> Iterator[Dossier]:
    """Dossier objects with what their PDF needs, read with a streaming query."""
    return queryset.select_related(*DOSSIER_RELATED).prefetch_related(None).iterator(chunk_size=chunk_size or DOSSIER_CHUNK)


def ecrire_zip(path: str, chunks: Iterable[bytes]) -> int:
    """Write a stream to a file; returns its size."""
    size = 0
    with open(path, "wb") as handle:
        for chunk in chunks:
            handle.write(chunk)
            size += len(chunk)
    return size
