from django import forms

from demarches.procedures.forms import DsfrFormMixin

from .models import AttestationKind


class AttestationTemplateForm(DsfrFormMixin, forms.Form):
    CSS = {**DsfrFormMixin.CSS, "fileinput": "fr-upload"}

    activated = forms.BooleanField(label="", required=False)
    title = forms.CharField(
        label="Titre", max_length=255, error_messages={"required": "Indiquez le titre de l'attestation."}
    )
    body = forms.CharField(
        label="Corps du document", widget=forms.Textarea(attrs={"rows": 12}),
        help_text=(
            "Séparez les paragraphes par une ligne vide. Les balises de la liste ci-dessous sont remplacées "
            "par les informations du dossier."
        ),
        error_messages={"required": "Rédigez le corps de l'attestation."},
    )
    footer = forms.CharField(
        label="Pied de page", max_length=190, required=False,
        help_text="190 caractères au maximum, par exemple l'adresse du service.",
    )
    logo = forms.FileField(
        label="Logo", required=False, widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg"}),
        help_text="Présenté en haut du document. Image PNG ou JPEG, 1 Mo au maximum.",
    )
    supprimer_logo = forms.BooleanField(label="Supprimer le logo actuel", required=False)
    signature = forms.FileField(
        label="Tampon ou signature", required=False, widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg"}),
        help_text="Présenté en bas du document. Image PNG ou JPEG, 1 Mo au maximum.",
    )
    supprimer_signature = forms.BooleanField(label="Supprimer le tampon ou la signature actuels", required=False)
    qr_code = forms.BooleanField(
        label="Imprimer un code QR de vérification", required=False,
        help_text=(
            "Le code QR, accompagné d'une adresse et d'un code, mène à une page publique où chacun peut vérifier "
            "que l'attestation a bien été délivrée par ce service et qu'elle n'a pas été annulée."
        ),
    )

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        what = "acceptation" if kind == AttestationKind.ACCEPTATION else "refus"
        field, bound = self.fields["activated"], self["activated"]  # the mixin already built the bound field
        field.label = bound.label = f"Activer l'{AttestationKind(kind).label}"
        field.help_text = bound.help_text = (
            f"L'attestation est délivrée automatiquement à chaque {what} ; l'usager la télécharge depuis son dossier."
        )

    def service_errors(self, error) -> None:
        """Errors raised by the service, put under the field they concern."""
        if hasattr(error, "error_dict"):
            for name, messages in error.error_dict.items():
                self.add_error(name if name in self.fields else None, messages)
        else:
            self.add_error(None, error.messages)


class VerificationForm(DsfrFormMixin, forms.Form):
    code = forms.CharField(
        label="Code de vérification", max_length=40,
        help_text="Il figure sous le code QR du document, par exemple : 7KQ2-M9XD-4TPA-HW3C.",
        error_messages={"required": "Saisissez le code de vérification du document."},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
