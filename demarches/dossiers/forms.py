"""Forms of the usager pages, and the objects the champ widget templates are rendered from."""

from dataclasses import dataclass, field

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.urls import reverse

from demarches.fields.registry import StoredValue
from demarches.fields.types.piece_justificative import ALLOWED_EXTENSIONS
from demarches.fields.widgets import ChampAffiche

from .models import Champ, Dossier, PieceJointe

MEGA = 1024 * 1024


def taille_lisible(size: int) -> str:
    """200 * 1024 * 1024 → « 200 Mo » (whole megabytes stay whole)."""
    if size and size % MEGA == 0:
        return f"{size // MEGA} Mo"
    return filesizeformat(size)


def format_fichier(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].upper() if "." in filename else "Fichier"


class IdentiteForm(forms.Form):
    civilite = forms.ChoiceField(
        label="Civilité",
        choices=[("M.", "M."), ("Mme", "Mme")],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choisissez votre civilité : « M. » ou « Mme ».",
            "invalid_choice": "Choisissez votre civilité : « M. » ou « Mme ».",
        },
    )
    nom = forms.CharField(
        label="Nom", max_length=255,
        error_messages={
            "required": "Renseignez votre nom.", "max_length": "Le nom ne doit pas dépasser 255 caractères.",
        },
    )
    prenom = forms.CharField(
        label="Prénom", max_length=255,
        error_messages={
            "required": "Renseignez votre prénom.", "max_length": "Le prénom ne doit pas dépasser 255 caractères.",
        },
    )


class SiretForm(forms.Form):
    siret = forms.CharField(
        label="Numéro SIRET",
        max_length=100,
        help_text="Les 14 chiffres du numéro de votre établissement, par exemple : 130 025 265 00013.",
        error_messages={"required": "Renseignez le numéro SIRET de votre établissement (14 chiffres)."},
    )

    def clean_siret(self):
        from .services_demandeur import siret_normaliser

        return siret_normaliser(self.cleaned_data["siret"])


class MessageForm(forms.Form):
    body = forms.CharField(
        label="Votre message",
        widget=forms.Textarea,
        max_length=20_000,
        error_messages={
            "required": "Votre message est vide : écrivez quelques mots avant de l'envoyer.",
            "max_length": "Votre message est trop long : 20 000 caractères au maximum.",
        },
    )
    piece_jointe = forms.FileField(
        label="Pièce jointe",
        required=False,
        error_messages={"empty": "Le fichier joint est vide.", "invalid": "Le fichier joint n'a pas pu être lu."},
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label="Adresse électronique",
        max_length=254,
        error_messages={
            "required": "Saisissez l'adresse électronique de la personne à inviter.",
            "invalid": "Saisissez une adresse électronique valide, par exemple adresse@mail.com.",
            "max_length": "L'adresse électronique est trop longue.",
        },
    )
    message = forms.CharField(
        label="Ajouter un message à la personne invitée",
        required=False,
        widget=forms.Textarea,
        max_length=2_000,
        error_messages={"max_length": "Votre message est trop long : 2 000 caractères au maximum."},
    )


class CompteSuppressionForm(forms.Form):
    confirmation = forms.BooleanField(
        label="Je comprends que mon compte sera supprimé et que je ne pourrai plus me connecter avec cette adresse.",
        error_messages={"required": "Cochez la case pour confirmer la suppression de votre compte."},
    )


@dataclass
class PieceAffichee:
    piece: PieceJointe
    dossier_pk: int

    @property
    def filename(self):
        return self.piece.filename

    @property
    def detail(self):
        return f"{format_fichier(self.piece.filename)} – {filesizeformat(self.piece.size)}"

    @property
    def download_url(self):
        return reverse("dossiers:piece_telecharger", args=[self.dossier_pk, self.piece.pk])

    @property
    def delete_url(self):
        return reverse("dossiers:piece_supprimer", args=[self.dossier_pk, self.piece.pk])


@dataclass
class ChampWidget(ChampAffiche):
    """One public champ as its widget template needs it: definition, current value, error, attachments."""

    dossier: Dossier
    type_de_champ: object
    champ: Champ | None = None
    error: str = ""
    heading_offset: int = 0  # 1 where the form sits under an h2 (read-only summary)
    pieces: list = field(default_factory=list)

    def __post_init__(self):
        if self.champ is not None and self.field_type.accepts_files:
            self.pieces = [PieceAffichee(piece, self.dossier.pk) for piece in self.champ.pieces.all()]

    @property
    def accepts_files(self):
        return self.field_type.accepts_files

    @property
    def id(self):
        return self.type_de_champ.html_id

    @property
    def name(self):
        return self.type_de_champ.html_id

    @property
    def file_name(self):
        return f"{self.type_de_champ.html_id}-fichier"

    @property
    def stored(self) -> StoredValue:
        return self.champ.stored if self.champ is not None else StoredValue()

    @property
    def display(self):
        return "" if self.accepts_files else super().display

    @property
    def heading_level(self):
        """Section titles are h2 on the form; options « level » 2 and 3 nest them (h3, h4)."""
        try:
            level = int(self.options.get("level", 1))
        except (TypeError, ValueError):
            level = 1
        return min(max(level, 1), 3) + 1 + self.heading_offset

    @property
    def upload_url(self):
        return reverse("dossiers:piece_ajouter", args=[self.dossier.pk, self.type_de_champ.stable_id])

    @property
    def accept(self):
        from demarches.fields.options import extensions_autorisees

        allowed = extensions_autorisees(self.type_de_champ.options or {})
        return ",".join(sorted(allowed if allowed is not None else ALLOWED_EXTENSIONS))

    @property
    def formats_label(self) -> str:
        from demarches.fields.options import FORMATS

        families = [FORMATS[f][0] for f in (self.type_de_champ.options or {}).get("formats") or [] if f in FORMATS]
        return ", ".join(families) or "PDF, images (JPG, PNG), documents bureautiques (Word, Excel, OpenDocument), texte, CSV, ZIP"

    @property
    def modele(self) -> dict | None:
        """The blank document the administrateur offers to download, fill in and attach."""
        modele = (self.type_de_champ.options or {}).get("modele")
        return modele if isinstance(modele, dict) and modele.get("chemin") else None

    @property
    def modele_url(self) -> str:
        return reverse("procedures:modele_telecharger", args=[self.dossier.procedure_id, self.type_de_champ.stable_id])

    @property
    def max_size_label(self):
        return taille_lisible(settings.PIECE_JUSTIFICATIVE_MAX_SIZE)

    @property
    def max_files(self):
        return self.field_type.max_files


def champ_widgets(
    dossier: Dossier, champs: list[tuple], errors: dict[int, str] | None = None, *, heading_offset: int = 0
) -> list[ChampWidget]:
    """champs: what selectors.champs_du_dossier returns; errors: messages by stable_id."""
    errors = errors or {}
    return [
        ChampWidget(
            dossier=dossier, type_de_champ=tdc, champ=champ, error=errors.get(tdc.stable_id, ""),
            heading_offset=heading_offset,
        )
        for tdc, champ in champs
    ]
