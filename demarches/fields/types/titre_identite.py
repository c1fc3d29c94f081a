"""Titre d'identité: a photo or scan of an identity document (PNG or JPEG, one file, 20 Mo at most).

Stored like a pièce justificative (a PieceJointe of the champ; champ.data = [filename]). The
instructeurs see it while they instruct; it never leaves in exports (neither the spreadsheet,
which only says whether one was given, nor the archive of files), and it is deleted once the
dossier is terminé (accepté, refusé or classé sans suite): see `dossier_etat_change`, hooked
into settings.DOSSIER_STATE_CHANGE_HANDLERS. After the purge the champ says when it happened.
"""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import formats, timezone
from django.utils.translation import gettext

from ..registry import FieldType, StoredValue, register
from .piece_justificative import check_upload

logger = logging.getLogger(__name__)

MAX_SIZE = 20 * 1024 * 1024
EXTENSIONS = (".png", ".jpg", ".jpeg")
ACCEPT = ".png,.jpg,.jpeg,image/png,image/jpeg"


def _purged_at(stored: StoredValue):
    if isinstance(stored.data, dict) and stored.data.get("purge_le"):
        try:
            return timezone.datetime.fromisoformat(stored.data["purge_le"])
        except ValueError:
            return None
    return None


@register
class TitreIdentite(FieldType):
    key = "titre_identite"
    label = "Titre d'identité"
    template = "fields/widgets/titre_identite.html"
    accepts_files = True
    files_in_exports = False
    condition_operators = ("empty", "not_empty")

    def parse(self, raw, *, options):
        return StoredValue()

    def is_empty(self, stored):
        return not stored.data

    def display(self, stored):
        purged = _purged_at(stored)
        if purged is not None:
            moment = formats.date_format(timezone.localtime(purged), "j F Y")
            return gettext("Titre d'identité supprimé le %(date)s, après la décision sur le dossier.") % {"date": moment}
        return gettext("Titre d'identité joint") if stored.data else ""

    def export_value(self, stored):
        # Never the file's name: it often holds the person's name.
        return "Oui" if isinstance(stored.data, list) and stored.data else ""

    def condition_value(self, stored):
        return True if stored.data else None

    def check_file(self, uploaded, *, options=None):
        name = uploaded.name or ""
        extension = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
        if extension not in EXTENSIONS:
            raise ValidationError(
                f"Le format du fichier « {name} » n'est pas accepté pour un titre d'identité : "
                "envoyez une photo ou un scan au format JPG ou PNG."
            )
        check_upload(uploaded, max_size=MAX_SIZE)

    @property
    def max_files(self):
        return 1

    def widget_context(self, *, options, stored):
        purged = self.display(stored) if _purged_at(stored) else ""
        return {"accept": ACCEPT, "max_size_label": filesizeformat(MAX_SIZE), "purged": purged}


def titres_identite_purger(*, dossier_id: int) -> int:
    """Delete the identity documents of a terminé dossier (idempotent). Returns how many files went."""
    from demarches.dossiers.models import Champ, Dossier, PieceJointe

    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().filter(pk=dossier_id).first()
        if dossier is None or dossier.state not in Dossier.TERMINE:
            return 0
        champs = list(
            Champ.objects.select_for_update().filter(dossier_id=dossier_id, type_de_champ__type_champ=TitreIdentite.key)
        )
        pieces = list(PieceJointe.objects.filter(champ__in=champs))
        files = [piece.file for piece in pieces]
        now = timezone.now().isoformat(timespec="seconds")
        for champ in champs:
            if champ.data and not _purged_at(champ.stored):
                champ.value, champ.data = "", {"purge_le": now}
                champ.save(update_fields=["value", "data", "updated_at"])
        PieceJointe.objects.filter(pk__in=[piece.pk for piece in pieces]).delete()

        def delete_files():
            for file in files:
                file.delete(save=False)

        transaction.on_commit(delete_files)
    return len(files)


def dossier_etat_change(dossier_id: int, transition_name: str) -> None:
    """settings.DOSSIER_STATE_CHANGE_HANDLERS entry: purge after a decision; never fails the request."""
    if transition_name not in ("accepter", "accepter_automatiquement", "refuser", "classer_sans_suite"):
        return
    try:
        titres_identite_purger(dossier_id=dossier_id)
    except Exception:
        logger.exception("Suppression du titre d'identité du dossier %s : échec", dossier_id)
