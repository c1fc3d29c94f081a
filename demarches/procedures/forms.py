"""Forms of the administrateur's screens. They validate input; the services do the writes."""

import json

from django import forms

from demarches.fields import registry

from . import policies
from .models import Procedure, Service

NOUVEAU_SERVICE = "nouveau"


class DsfrFormMixin:
    """Adds the DSFR classes and ties error messages to their input (aria-describedby)."""

    CSS = {"select": "fr-select", "checkbox": "", "radioselect": "", "textarea": "fr-input"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget_type = self[name].widget_type
            css = self.CSS.get(widget_type, "fr-input")
            if css:
                field.widget.attrs["class"] = (field.widget.attrs.get("class", "") + " " + css).strip()

    def add_error(self, field, error):
        super().add_error(field, error)
        # Every error, from field cleaning, clean() or a service, goes through here.
        for name in list(self.errors):
            if name in self.fields:
                self._mark_invalid(name)

    def _mark_invalid(self, name):
        bound = self[name]
        widget = self.fields[name].widget
        described = [f"{bound.auto_id}-messages"]
        if self.fields[name].help_text:
            described.insert(0, f"{bound.auto_id}_helptext")
        widget.attrs["aria-describedby"] = " ".join(described)
        if bound.widget_type == "radioselect":
            return
        widget.attrs["aria-invalid"] = "true"
        error_class = {"select": "fr-select--error", "checkbox": ""}.get(bound.widget_type, "fr-input--error")
        if error_class and error_class not in widget.attrs.get("class", ""):
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + error_class).strip()


class ProcedureForm(DsfrFormMixin, forms.Form):
    libelle = forms.CharField(
        label="Titre de la démarche", max_length=255,
        error_messages={"required": "Indiquez le titre de la démarche."},
    )
    description = forms.CharField(
        label="Description", widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Le contexte, l'objectif et le public de la démarche : ce que l'usager lit avant de commencer.",
        error_messages={"required": "Décrivez la démarche."},
    )
    for_individual = forms.TypedChoiceField(
        label="À qui s'adresse la démarche ?",
        choices=[("1", "Aux particuliers"), ("0", "Aux personnes morales (entreprises, associations…)")],
        coerce=lambda v: v == "1", widget=forms.RadioSelect, initial="1",
        help_text="Les particuliers indiquent leur nom et leur prénom ; les personnes morales, leur numéro SIRET.",
        error_messages={"required": "Choisissez le public de la démarche."},
    )
    declarative_with_state = forms.ChoiceField(
        label="Démarche déclarative", required=False,
        choices=[
            ("", "Non : les dossiers sont instruits"),
            ("en_instruction", "Oui : le dossier déposé passe directement en instruction"),
            ("accepte", "Oui : le dossier déposé est directement accepté"),
        ],
        help_text="Dans une démarche déclarative, le dossier ne peut plus être modifié une fois déposé.",
    )
    duree_conservation_dossiers = forms.IntegerField(
        label="Durée de conservation des dossiers (en mois)", initial=12,
        min_value=1, max_value=policies.DUREE_CONSERVATION_MAX,
        help_text=f"Entre 1 et {policies.DUREE_CONSERVATION_MAX} mois.",
        error_messages={
            "required": "Indiquez la durée de conservation des dossiers.",
            "invalid": "Indiquez un nombre entier de mois.",
            "min_value": f"La durée de conservation doit être comprise entre 1 et {policies.DUREE_CONSERVATION_MAX} mois.",
            "max_value": f"La durée de conservation doit être comprise entre 1 et {policies.DUREE_CONSERVATION_MAX} mois.",
        },
    )
    auto_archive_on = forms.DateField(
        label="Date limite de dépôt", required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=(
            "Facultative. Format attendu : JJ/MM/AAAA. Les dossiers peuvent être déposés jusqu'à ce jour inclus ; "
            "à minuit, la démarche est close automatiquement et les dossiers en construction passent en instruction."
        ),
        error_messages={"invalid": "Saisissez une date valide, par exemple 31/12/2026."},
    )
    service_choice = forms.ChoiceField(
        label="Service en charge de la démarche",
        help_text="Reprenez un de vos services ou décrivez-en un nouveau ci-dessous.",
    )
    service_nom = forms.CharField(label="Nom du service", max_length=255, required=False)
    service_organisme = forms.CharField(
        label="Organisme", max_length=255, required=False, help_text="Par exemple : Préfecture du Finistère."
    )
    service_email = forms.EmailField(
        label="Adresse électronique de contact", required=False,
        help_text="Format attendu : nom@domaine.fr",
        error_messages={"invalid": "Saisissez une adresse électronique valide, par exemple nom@domaine.fr."},
    )
    service_telephone = forms.CharField(label="Téléphone", max_length=30, required=False)
    service_horaires = forms.CharField(
        label="Horaires", max_length=255, required=False, help_text="Par exemple : du lundi au vendredi, de 9 h à 12 h."
    )
    service_adresse = forms.CharField(
        label="Adresse postale", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    SERVICE_FIELDS = ("nom", "organisme", "email", "telephone", "horaires", "adresse")
    OPTION_FIELDS = (
        "libelle", "description", "for_individual", "declarative_with_state", "duree_conservation_dossiers", "auto_archive_on",
    )

    def __init__(self, *args, administrateur, procedure: Procedure | None = None, services=(), **kwargs):
        if procedure is not None:
            # Also set on bound forms: a disabled field takes its value from the initial data.
            kwargs["initial"] = {
                "libelle": procedure.libelle, "description": procedure.description,
                "for_individual": "1" if procedure.for_individual else "0",
                "declarative_with_state": procedure.declarative_with_state,
                "duree_conservation_dossiers": procedure.duree_conservation_dossiers,
                "auto_archive_on": procedure.auto_archive_on,
                "service_choice": str(procedure.service_id) if procedure.service_id else NOUVEAU_SERVICE,
                **kwargs.get("initial", {}),
            }
        super().__init__(*args, **kwargs)
        self.administrateur = administrateur
        self.procedure = procedure
        self.services = {str(s.pk): s for s in services}
        choices = [(pk, f"{s.nom}{' — ' + s.organisme if s.organisme else ''}") for pk, s in self.services.items()]
        choices.append((NOUVEAU_SERVICE, "Nouveau service"))
        self.fields["service_choice"].choices = choices
        if not self.is_bound and "service_choice" not in self.initial:
            self.initial["service_choice"] = choices[0][0]
        if procedure is not None and not procedure.is_en_test:
            self.fields["for_individual"].disabled = True
            self.fields["for_individual"].help_text = "Le public ne peut plus être changé une fois la démarche publiée."

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("service_choice") == NOUVEAU_SERVICE:
            if not cleaned.get("service_nom"):
                self.add_error("service_nom", "Indiquez le nom du service.")
            if not cleaned.get("service_email") and "service_email" not in self.errors:
                self.add_error("service_email", "Indiquez l'adresse électronique de contact du service.")
        return cleaned

    @property
    def nouveau_service(self) -> dict | None:
        """The attributes of the service to create, or None when an existing one is chosen."""
        if self.cleaned_data["service_choice"] != NOUVEAU_SERVICE:
            return None
        return {name: self.cleaned_data[f"service_{name}"] for name in self.SERVICE_FIELDS}

    @property
    def service_existant(self) -> Service | None:
        return self.services.get(self.cleaned_data["service_choice"])

    @property
    def options(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.OPTION_FIELDS}


class ServiceForm(DsfrFormMixin, forms.ModelForm):
    class Meta:
        model = Service
        fields = ("nom", "organisme", "email", "telephone", "horaires", "adresse")
        widgets = {"adresse": forms.Textarea(attrs={"rows": 3})}
        error_messages = {
            "nom": {"required": "Indiquez le nom du service."},
            "email": {
                "required": "Indiquez l'adresse électronique de contact du service.",
                "invalid": "Saisissez une adresse électronique valide, par exemple nom@domaine.fr.",
            },
        }


def _options_text(options: dict) -> str:
    return "\n".join(options.get("choices", []))


class TypeDeChampForm(DsfrFormMixin, forms.Form):
    type_champ = forms.ChoiceField(label="Type de champ")
    libelle = forms.CharField(
        label="Libellé", max_length=500, error_messages={"required": "Indiquez le libellé du champ."}
    )
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Une précision affichée sous le libellé pour aider l'usager.",
    )
    mandatory = forms.BooleanField(label="Obligatoire", required=False)
    options = forms.CharField(
        label="Options (une par ligne)", required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=(
            "Pour les choix simples et multiples uniquement. "
            f"Une ligne « {policies.OPTIONS_SEPARATOR} » sépare deux groupes d'options."
        ),
    )

    def __init__(self, *args, type_de_champ=None, prefix=None, **kwargs):
        if type_de_champ is not None and not kwargs.get("data"):
            kwargs["initial"] = {
                "type_champ": type_de_champ.type_champ, "libelle": type_de_champ.libelle,
                "description": type_de_champ.description, "mandatory": type_de_champ.mandatory,
                "options": _options_text(type_de_champ.options),
            }
        super().__init__(*args, prefix=prefix, **kwargs)
        self.fields["type_champ"].choices = [(t.key, t.label) for t in registry.all_types()]
        self.types_avec_options = [t.key for t in registry.all_types() if t.has_options]

    def clean(self):
        cleaned = super().clean()
        type_champ = cleaned.get("type_champ")
        lines = [line.strip() for line in (cleaned.get("options") or "").splitlines() if line.strip()]
        if type_champ in self.types_avec_options:
            if not [line for line in lines if line != policies.OPTIONS_SEPARATOR]:
                self.add_error("options", "Indiquez au moins une option (une par ligne).")
            cleaned["options_dict"] = {"choices": lines}
        else:
            cleaned["options_dict"] = {}
        return cleaned


class InstructeurForm(DsfrFormMixin, forms.Form):
    email = forms.EmailField(
        label="Adresse électronique de l'instructeur",
        help_text="Format attendu : nom@domaine.fr. Une personne sans compte reçoit une invitation.",
        error_messages={
            "required": "Indiquez l'adresse électronique de l'instructeur.",
            "invalid": "Saisissez une adresse électronique valide, par exemple nom@domaine.fr.",
        },
    )


class PublicationForm(DsfrFormMixin, forms.Form):
    path = forms.CharField(
        label="Adresse de la démarche", max_length=150,
        help_text="Lettres minuscules sans accent, chiffres et tirets, par exemple : demande-de-subvention.",
        error_messages={"required": "Indiquez l'adresse de la démarche."},
    )


class MailTemplateForm(DsfrFormMixin, forms.Form):
    subject = forms.CharField(
        label="Objet de l'e-mail", max_length=255,
        error_messages={"required": "Indiquez l'objet de l'e-mail.", "max_length": "L'objet ne peut dépasser 255 caractères."},
    )
    body = forms.CharField(
        label="Corps de l'e-mail", widget=forms.Textarea(attrs={"rows": 16}),
        help_text="Texte brut. Copiez les balises de la liste pour y insérer les informations du dossier.",
        error_messages={"required": "Rédigez le corps de l'e-mail."},
    )


IMPORT_TAILLE_MAX = 2 * 1024 * 1024


class ImportForm(DsfrFormMixin, forms.Form):
    fichier = forms.FileField(
        label="Fichier de la démarche (.json)",
        help_text="Un fichier obtenu avec le bouton « Exporter la démarche » de cette plateforme ou d'une autre. Taille maximale : 2 Mo.",
        error_messages={"required": "Choisissez le fichier de la démarche à importer."},
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
    )

    CSS = {**DsfrFormMixin.CSS, "clearablefileinput": "fr-upload"}

    def clean_fichier(self):
        fichier = self.cleaned_data["fichier"]
        if fichier.size > IMPORT_TAILLE_MAX:
            raise forms.ValidationError("Le fichier dépasse 2 Mo : ce n'est pas un export de démarche.")
        try:
            self.cleaned_data["document"] = json.loads(fichier.read().decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise forms.ValidationError("Le fichier n'est pas un document JSON lisible.") from None
        return fichier


class AdministrateurForm(DsfrFormMixin, forms.Form):
    email = forms.EmailField(
        label="Adresse électronique de l'administrateur",
        help_text="Format attendu : nom@domaine.fr. La personne doit déjà avoir un compte administrateur.",
        error_messages={
            "required": "Indiquez l'adresse électronique de l'administrateur.",
            "invalid": "Saisissez une adresse électronique valide, par exemple nom@domaine.fr.",
        },
    )
