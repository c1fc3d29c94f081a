"""Forms of the instructor and expert workspace: they validate input, services decide."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from demarches.fields.types.piece_justificative import check_upload

# The justificatif of a decision follows the limit of the seeds (20 Mo), configurable.
JUSTIFICATIF_MAX_SIZE = settings.JUSTIFICATIF_MOTIVATION_MAX_SIZE

ACCEPTED_FORMATS = "PDF, images (JPG, PNG), documents bureautiques (Word, Excel, OpenDocument), texte, CSV, ZIP"


def taille_maximale(size: int) -> str:
    """A size limit as the seeds write it: "20 Mo"."""
    megabytes = size / (1024 * 1024)
    return f"{megabytes:.0f} Mo" if megabytes >= 1 else f"{size / 1024:.0f} Ko"


def _checked_upload(uploaded, max_size: int):
    if uploaded:
        try:
            check_upload(uploaded, max_size=max_size)
        except ValidationError as exc:
            raise ValidationError(exc.messages[0]) from None
    return uploaded


class ServiceErrorsMixin:
    """Put a ValidationError raised by a service next to the fields it names (or above the form)."""

    def add_service_error(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        else:
            self.add_error(None, error.messages)


class DecisionForm(ServiceErrorsMixin, forms.Form):
    """Accepter, refuser or classer sans suite; the state machine requires the motivation when needed."""

    motivation = forms.CharField(label="Motivation", required=False, widget=forms.Textarea(attrs={"rows": 6}))
    justificatif = forms.FileField(label="Justificatif (facultatif)", required=False)

    def __init__(self, *args, motivation_required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.motivation_required = motivation_required
        if motivation_required:
            self.fields["motivation"].help_text = "Obligatoire : expliquez au demandeur les raisons de cette décision."
        else:
            self.fields["motivation"].help_text = "Facultatif : expliquez au demandeur les raisons de cette décision."
        self.fields["justificatif"].help_text = (
            f"Taille maximale : {taille_maximale(JUSTIFICATIF_MAX_SIZE)}. Formats acceptés : {ACCEPTED_FORMATS}."
        )

    def clean_justificatif(self):
        return _checked_upload(self.cleaned_data.get("justificatif"), JUSTIFICATIF_MAX_SIZE)


class MessageForm(ServiceErrorsMixin, forms.Form):
    body = forms.CharField(label="Votre message", widget=forms.Textarea(attrs={"rows": 5}), required=False)
    piece_jointe = forms.FileField(label="Joindre un document (facultatif)", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["piece_jointe"].help_text = (
            f"Taille maximale : {taille_maximale(settings.MESSAGE_ATTACHMENT_MAX_SIZE)}. Formats acceptés : {ACCEPTED_FORMATS}."
        )

    def clean_piece_jointe(self):
        return _checked_upload(self.cleaned_data.get("piece_jointe"), settings.MESSAGE_ATTACHMENT_MAX_SIZE)


class AvisDemandeForm(ServiceErrorsMixin, forms.Form):
    expert_email = forms.CharField(
        label="Adresse électronique de l'expert",
        required=False,
        help_text="La personne doit déjà avoir un compte sur la plateforme. Format attendu : nom@domaine.fr",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    introduction = forms.CharField(
        label="Message à l'expert",
        required=False,
        help_text="Précisez la question posée ; ce message accompagne l'invitation envoyée par e-mail.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class AvisReponseForm(ServiceErrorsMixin, forms.Form):
    answer = forms.CharField(
        label="Votre avis",
        required=False,
        help_text="Visible uniquement par les instructeurs de la démarche, jamais par le demandeur.",
        widget=forms.Textarea(attrs={"rows": 8}),
    )


class CorrectionForm(ServiceErrorsMixin, forms.Form):
    """« Demander une correction »: a reason and the message the usager receives."""

    reason = forms.ChoiceField(
        label="Motif",
        choices=[
            ("incorrect", "Le dossier contient une erreur"),
            ("incomplete", "Le dossier est incomplet"),
            ("outdated", "Une pièce ou une information est périmée"),
        ],
        initial="incorrect",
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez le motif de la correction.", "invalid_choice": "Choisissez le motif de la correction."},
    )
    message = forms.CharField(
        label="Message au demandeur",
        required=False,
        help_text="Précisez ce qu'il doit corriger ; le message est envoyé par e-mail et reste dans la messagerie.",
        widget=forms.Textarea(attrs={"rows": 5}),
    )
