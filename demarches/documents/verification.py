"""The facts the public verification page shows about a document.

Only facts frozen on the document row, never personal data: no name, no e-mail address, no answer.
The list is built here, field by field, so that a template change cannot leak more.
"""

from dataclasses import dataclass

from django.utils import formats, timezone

from .models import AccuseDepot, Attestation, AttestationKind

DECISIONS = {AttestationKind.ACCEPTATION: "Dossier accepté", AttestationKind.REFUS: "Dossier refusé"}


@dataclass(frozen=True)
class Fait:
    label: str
    value: str
    digest: bool = False


def _date(value, *, seconds: bool = False) -> str:
    local = timezone.localtime(value)
    text = formats.date_format(local, "j F Y à H:i:s" if seconds else "j F Y à H:i")
    return f"{text} (heure de Paris)"


def faits(document: Attestation | AccuseDepot) -> list[Fait]:
    result = [
        Fait("Type de document", document.type_document),
        Fait("Numéro du dossier", str(document.dossier_id)),
        Fait("Démarche", document.procedure_libelle),
    ]
    if document.service_nom:
        result.append(Fait("Service", document.service_nom))
    if isinstance(document, Attestation):
        result += [
            Fait("Décision", f"{DECISIONS[document.kind]} le {_date(document.decision_at)}"),
            Fait("Délivrée le", _date(document.created_at)),
            Fait("Empreinte SHA-256 du contenu du dossier à la décision", document.content_digest, digest=True),
        ]
    else:
        result += [
            Fait("Dossier déposé le", _date(document.depose_at, seconds=True)),
            Fait("Empreinte SHA-256 du contenu déposé", document.content_digest, digest=True),
        ]
    if document.file_digest:
        result.append(Fait("Empreinte SHA-256 du fichier PDF", document.file_digest, digest=True))
    if document.dossier.for_procedure_preview:
        result.append(Fait("Attention", "Dossier de test déposé sur une démarche en test : ce document n'a aucune valeur."))
    return result
