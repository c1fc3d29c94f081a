"""Forms of the usager pages, and the objects the champ widget templates are rendered from."""

from dataclasses import dataclass, field

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from demarches.fields.registry import StoredValue
from demarches.fields.widgets import ChampDeFormulaire, taille_lisible  # noqa: F401  (taille_lisible: used by views)

from .models import Champ, Dossier, PieceJointe

def format_fichier(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].upper() if "." in filename else "Fichier"


class IdentiteForm(forms.Form):
    civilite = forms.ChoiceField(
        label="Civilité",
        choices=[("M.", "M."), ("Mme", "Mme")],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choisissez votre civilité : « M. » ou « Mme »."),
            "invalid_choice": _("Choisissez votre civilité : « M. » ou « Mme »."),
        },
    )
    nom = forms.CharField(
        label="Nom", max_length=255,
        error_messages={
            "required": _("Renseignez votre nom."), "max_length": _("Le nom ne doit pas dépasser 255 caractères."),
        },
    )
    prenom = forms.CharField(
        label="Prénom", max_length=255,
        error_messages={
            "required": _("Renseignez votre prénom."), "max_length": _("Le prénom ne doit pas dépasser 255 caractères."),
        },
    )
    date_naissance = forms.DateField(
        label=_("Date de naissance"), input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={
            "required": _("Renseignez votre date de naissance."),
            "invalid": _("Saisissez une date de naissance valide, par exemple 14/07/1985."),
        },
    )

    def __init__(self, *args, demander_date_naissance: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not demander_date_naissance:
            del self.fields["date_naissance"]

    def clean_date_naissance(self):
        value = self.cleaned_data["date_naissance"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("La date de naissance ne peut pas être dans le futur."))
        if value.year < 1900:
            raise forms.ValidationError(_("La date de naissance ne peut pas être antérieure à 1900."))
        return value


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
        label=_("Votre message"),
        widget=forms.Textarea,
        max_length=20_000,
        error_messages={
            "required": _("Votre message est vide : écrivez quelques mots avant de l'envoyer."),
            "max_length": _("Votre message est trop long : 20 000 caractères au maximum."),
        },
    )
    piece_jointe = forms.FileField(
        label=_("Pièce jointe"),
        required=False,
        error_messages={"empty": _("Le fichier joint est vide."), "invalid": _("Le fichier joint n'a pas pu être lu.")},
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("Adresse électronique"),
        max_length=254,
        error_messages={
            "required": _("Saisissez l'adresse électronique de la personne à inviter."),
            "invalid": _("Saisissez une adresse électronique valide, par exemple adresse@mail.com."),
            "max_length": _("L'adresse électronique est trop longue."),
        },
    )
    message = forms.CharField(
        label=_("Ajouter un message à la personne invitée"),
        required=False,
        widget=forms.Textarea,
        max_length=2_000,
        error_messages={"max_length": _("Votre message est trop long : 2 000 caractères au maximum.")},
    )


class CompteSuppressionForm(forms.Form):
    confirmation = forms.BooleanField(
        label=_("Je comprends que mon compte sera supprimé et que je ne pourrai plus me connecter avec cette adresse."),
        error_messages={"required": _("Cochez la case pour confirmer la suppression de votre compte.")},
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
class ChampWidget(ChampDeFormulaire):
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
    def stored(self) -> StoredValue:
        return self.champ.stored if self.champ is not None else StoredValue()

    @property
    def upload_url(self):
        return reverse("dossiers:piece_ajouter", args=[self.dossier.pk, self.type_de_champ.stable_id])


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
