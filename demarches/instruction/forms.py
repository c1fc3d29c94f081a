"""Forms of the instructor and expert workspace: they validate input, services decide."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator

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


AVIS_MAX_EXPERTS = 10
AVIS_PIECE_MAX_SIZE = settings.MESSAGE_ATTACHMENT_MAX_SIZE


class AvisDemandeForm(ServiceErrorsMixin, forms.Form):
    expert_email = forms.CharField(
        label="Adresses électroniques des experts",
        required=False,
        help_text=(
            "Une ou plusieurs adresses, séparées par des virgules ou des retours à la ligne. Une personne qui n'a pas "
            "encore de compte en reçoit un avec l'invitation. Format attendu : nom@domaine.fr"
        ),
        widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "email", "spellcheck": "false"}),
    )
    introduction = forms.CharField(
        label="Message à l'expert",
        required=False,
        help_text="Précisez ce que vous attendez ; ce message accompagne l'invitation envoyée par e-mail.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    question_label = forms.CharField(
        label="Question appelant une réponse par oui ou par non (facultatif)",
        required=False,
        max_length=500,
        help_text="Par exemple : « Le projet respecte-t-il les normes d'accessibilité ? »",
    )
    introduction_file = forms.FileField(label="Joindre un document (facultatif)", required=False)
    confidentiel = forms.BooleanField(
        label="Avis confidentiel",
        required=False,
        help_text="Coché : l'avis ne sera visible que des instructeurs. Sinon, les autres experts consultés sur ce dossier le verront aussi.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["introduction_file"].help_text = (
            f"Taille maximale : {taille_maximale(AVIS_PIECE_MAX_SIZE)}. Formats acceptés : {ACCEPTED_FORMATS}."
        )

    def clean_expert_email(self):
        raw = self.cleaned_data.get("expert_email", "")
        emails = [part.strip().lower() for part in raw.replace(";", ",").replace("\n", ",").split(",") if part.strip()]
        invalid = []
        for email in emails:
            try:
                EmailValidator()(email)
            except ValidationError:
                invalid.append(email)
        if invalid:
            raise ValidationError(
                f"Adresse{'s' if len(invalid) > 1 else ''} invalide{'s' if len(invalid) > 1 else ''} : "
                f"{', '.join(invalid)}. Format attendu : nom@domaine.fr"
            )
        if len(emails) > AVIS_MAX_EXPERTS:
            raise ValidationError(f"Vous pouvez consulter au plus {AVIS_MAX_EXPERTS} experts à la fois.")
        return list(dict.fromkeys(emails))

    def clean_introduction_file(self):
        return _checked_upload(self.cleaned_data.get("introduction_file"), AVIS_PIECE_MAX_SIZE)


class AvisReponseForm(ServiceErrorsMixin, forms.Form):
    question_answer = forms.TypedChoiceField(
        label="Réponse à la question",
        required=False,
        choices=[("oui", "Oui"), ("non", "Non")],
        coerce=lambda value: value == "oui",
        empty_value=None,
        widget=forms.RadioSelect,
    )
    answer = forms.CharField(
        label="Votre avis",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    piece_justificative = forms.FileField(label="Joindre un document (facultatif)", required=False)

    def __init__(self, *args, avis, **kwargs):
        super().__init__(*args, **kwargs)
        if avis.question_label:
            self.fields["question_answer"].label = avis.question_label
        else:
            del self.fields["question_answer"]
        self.fields["answer"].help_text = (
            "Visible des seuls instructeurs de la démarche."
            if avis.confidentiel
            else "Visible des instructeurs de la démarche et des autres experts consultés sur ce dossier."
        ) + " Le demandeur n'y a jamais accès."
        self.fields["piece_justificative"].help_text = (
            f"Taille maximale : {taille_maximale(AVIS_PIECE_MAX_SIZE)}. Formats acceptés : {ACCEPTED_FORMATS}."
            + (" Un nouveau document remplace le précédent." if avis.piece_justificative else "")
        )

    def clean_piece_justificative(self):
        return _checked_upload(self.cleaned_data.get("piece_justificative"), AVIS_PIECE_MAX_SIZE)


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
