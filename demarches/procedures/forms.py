"""Forms of the administrateur's screens. They validate input; the services do the writes."""

import json

from django import forms

from demarches.fields import registry

from . import description as desc
from . import policies
from .models import Procedure, Service

NOUVEAU_SERVICE = "nouveau"


class DsfrFormMixin:
    """Adds the DSFR classes and ties error messages to their input (aria-describedby)."""

    CSS = {"select": "fr-select", "checkbox": "", "radioselect": "", "textarea": "fr-input", "file": "fr-upload"}

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
        label="Description", widget=forms.Textarea(attrs={"rows": 6, "data-description-riche": ""}),
        help_text=(
            "Le contexte, l'objectif et le public de la démarche : ce que l'usager lit avant de commencer. "
            "Mise en forme possible : gras, italique, souligné, titres, listes et liens."
        ),
        error_messages={"required": "Décrivez la démarche."},
    )
    for_individual = forms.TypedChoiceField(
        label="À qui s'adresse la démarche ?",
        choices=[("1", "Aux particuliers"), ("0", "Aux personnes morales (entreprises, associations…)")],
        coerce=lambda v: v == "1", widget=forms.RadioSelect, initial="1",
        help_text="Les particuliers indiquent leur nom et leur prénom ; les personnes morales, leur numéro SIRET.",
        error_messages={"required": "Choisissez le public de la démarche."},
    )
    demander_date_naissance = forms.BooleanField(
        label="Demander la date de naissance des particuliers", required=False,
        help_text="À l'étape « Votre identité », l'usager indique aussi sa date de naissance (obligatoire).",
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
    duree_estimee_minutes = forms.IntegerField(
        label="Temps de remplissage estimé (en minutes)", required=False,
        min_value=1, max_value=desc.DUREE_ESTIMEE_MAX,
        help_text="Facultatif. Affiché à l'usager avant qu'il commence, par exemple : 15.",
        error_messages={
            "invalid": "Indiquez un nombre entier de minutes.",
            "min_value": f"Le temps de remplissage estimé doit être compris entre 1 et {desc.DUREE_ESTIMEE_MAX} minutes.",
            "max_value": f"Le temps de remplissage estimé doit être compris entre 1 et {desc.DUREE_ESTIMEE_MAX} minutes.",
        },
    )
    logo = forms.FileField(
        label="Logo de la démarche", required=False,
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,.png,.jpg,.jpeg"}),
        help_text="Facultatif. Affiché en haut des pages de la démarche. Image PNG ou JPEG, 5 Mo au maximum.",
    )
    supprimer_logo = forms.BooleanField(label="Supprimer le logo actuel", required=False)
    notice = forms.FileField(
        label="Notice explicative (fichier)", required=False,
        widget=forms.FileInput(attrs={"accept": desc.DOCUMENT_ACCEPT}),
        help_text="Facultative. Guide que l'usager peut télécharger avant de commencer. PDF ou bureautique, 20 Mo au maximum.",
    )
    supprimer_notice = forms.BooleanField(label="Supprimer la notice actuelle", required=False)
    lien_notice = forms.URLField(
        label="Ou lien vers la notice", required=False, max_length=500, assume_scheme="https",
        help_text="Facultatif. Format attendu : https://www.exemple.fr/guide",
        error_messages={"invalid": "Saisissez une adresse web valide, par exemple https://www.exemple.fr/guide."},
    )
    cadre_juridique = forms.CharField(
        label="Cadre juridique (texte ou lien)", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=(
            "Le texte qui autorise la collecte de ces données : référence d'un texte de loi, lien vers Légifrance… "
            "Obligatoire pour publier, sauf si vous déposez la délibération ci-dessous."
        ),
    )
    deliberation = forms.FileField(
        label="Ou délibération (fichier)", required=False,
        widget=forms.FileInput(attrs={"accept": desc.DELIBERATION_ACCEPT}),
        help_text="PDF, bureautique ou image, 20 Mo au maximum.",
    )
    supprimer_deliberation = forms.BooleanField(label="Supprimer la délibération actuelle", required=False)
    lien_dpo = forms.CharField(
        label="Contact du délégué à la protection des données (DPO)", required=False, max_length=500,
        help_text="Facultatif. Adresse électronique (dpo@exemple.fr) ou adresse web (https://…), affichée aux usagers.",
    )
    monavis_embed = forms.CharField(
        label="Code du bouton MonAvis", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=(
            "Facultatif. Collez le code du bouton fourni par voxusagers.numerique.gouv.fr : le bouton est proposé "
            "à l'usager après le dépôt de son dossier."
        ),
    )
    service_choice = forms.ChoiceField(
        label="Service en charge de la démarche",
        help_text="Reprenez un de vos services ou décrivez-en un nouveau ci-dessous.",
    )
    service_nom = forms.CharField(label="Nom du service", max_length=255, required=False)
    service_organisme = forms.CharField(
        label="Organisme", max_length=255, required=False, help_text="Par exemple : Préfecture du Finistère."
    )
    service_type_organisme = forms.ChoiceField(
        label="Type d'organisme", required=False,
        choices=[("", "Choisir un type d'organisme")] + Service.TypeOrganisme.choices,
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

    SERVICE_FIELDS = ("nom", "organisme", "type_organisme", "email", "telephone", "horaires", "adresse")
    OPTION_FIELDS = (
        "libelle", "description", "for_individual", "demander_date_naissance", "declarative_with_state",
        "duree_conservation_dossiers", "auto_archive_on", "duree_estimee_minutes", "lien_notice", "cadre_juridique",
        "lien_dpo", "monavis_embed",
    )
    FICHIERS = {"logo": desc.logo_verifier, "notice": desc.notice_verifier, "deliberation": desc.deliberation_verifier}

    def __init__(self, *args, administrateur, procedure: Procedure | None = None, services=(), **kwargs):
        if procedure is not None:
            # Also set on bound forms: a disabled field takes its value from the initial data.
            kwargs["initial"] = {
                "libelle": procedure.libelle, "description": procedure.description,
                "for_individual": "1" if procedure.for_individual else "0",
                "demander_date_naissance": procedure.demander_date_naissance,
                "declarative_with_state": procedure.declarative_with_state,
                "duree_conservation_dossiers": procedure.duree_conservation_dossiers,
                "auto_archive_on": procedure.auto_archive_on,
                "duree_estimee_minutes": procedure.duree_estimee_minutes, "lien_notice": procedure.lien_notice,
                "cadre_juridique": procedure.cadre_juridique, "lien_dpo": procedure.lien_dpo,
                "monavis_embed": procedure.monavis_embed,
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

    def clean_description(self):
        """Only the allowed formatting is kept (see description.description_nettoyer)."""
        description = desc.description_nettoyer(self.cleaned_data.get("description", ""))
        if not desc.description_texte(description):
            raise forms.ValidationError("Décrivez la démarche.")
        return description

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("service_choice") == NOUVEAU_SERVICE:
            if not cleaned.get("service_nom"):
                self.add_error("service_nom", "Indiquez le nom du service.")
            if not cleaned.get("service_email") and "service_email" not in self.errors:
                self.add_error("service_email", "Indiquez l'adresse électronique de contact du service.")
        for name, check in self.FICHIERS.items():
            if cleaned.get(name):
                try:
                    check(cleaned[name])
                except forms.ValidationError as error:
                    self.add_error(name, error.messages)
        for name, check in (("lien_dpo", desc.dpo_normaliser), ("monavis_embed", desc.monavis_verifier)):
            if name in cleaned:
                try:
                    cleaned[name] = check(cleaned[name])
                except forms.ValidationError as error:
                    self.add_error(name, error.messages)
        return cleaned

    @property
    def fichiers(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.FICHIERS if self.cleaned_data.get(name)}

    @property
    def fichiers_a_supprimer(self) -> list[str]:
        return [name for name in self.FICHIERS if self.cleaned_data.get(f"supprimer_{name}")]

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


class EnvoyerCopieForm(DsfrFormMixin, forms.Form):
    email = forms.EmailField(
        label="Adresse électronique de l'administrateur destinataire",
        help_text="Format attendu : nom@domaine.fr. La personne doit avoir un compte administrateur.",
        error_messages={
            "required": "Indiquez l'adresse électronique de l'administrateur destinataire.",
            "invalid": "Saisissez une adresse électronique valide, par exemple nom@domaine.fr.",
        },
    )


class CloreForm(DsfrFormMixin, forms.Form):
    motif = forms.ChoiceField(
        label="Pourquoi clore la démarche ?", required=False, widget=forms.RadioSelect, initial="",
        choices=[
            ("", "Je ne souhaite pas préciser"),
            ("remplacee", "Elle est remplacée par une autre de mes démarches"),
            ("autre", "Autre motif"),
        ],
        help_text="Facultatif. Une démarche remplacée renvoie ses usagers vers la nouvelle démarche.",
    )
    remplacee_par = forms.ChoiceField(
        label="Démarche de remplacement", required=False,
        help_text="Parmi vos démarches publiées. À remplir si la démarche est remplacée.",
    )
    precisions = forms.CharField(
        label="Message aux usagers", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Facultatif. Affiché sur la page de la démarche close et dans l'e-mail aux usagers.",
    )
    prevenir_usagers = forms.BooleanField(
        label="Prévenir par e-mail les usagers qui ont un brouillon sur cette démarche", required=False,
        help_text="Leur brouillon ne pourra plus être déposé.",
    )

    def __init__(self, *args, remplacantes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.remplacantes = {str(p.pk): p for p in remplacantes}
        self.fields["remplacee_par"].choices = [("", "Choisir une démarche")] + [
            (pk, f"n° {p.pk} — {p.libelle}") for pk, p in self.remplacantes.items()
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("motif") == "remplacee":
            remplacante = self.remplacantes.get(cleaned.get("remplacee_par") or "")
            if remplacante is None:
                self.add_error("remplacee_par", "Choisissez la démarche qui remplace celle-ci.")
            cleaned["remplacante"] = remplacante
        else:
            cleaned["remplacante"] = None
        return cleaned


class ServiceForm(DsfrFormMixin, forms.ModelForm):
    class Meta:
        model = Service
        fields = ("nom", "organisme", "type_organisme", "email", "telephone", "horaires", "adresse")
        widgets = {"adresse": forms.Textarea(attrs={"rows": 3})}
        error_messages = {
            "nom": {"required": "Indiquez le nom du service."},
            "email": {
                "required": "Indiquez l'adresse électronique de contact du service.",
                "invalid": "Saisissez une adresse électronique valide, par exemple nom@domaine.fr.",
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type_organisme"].choices = [("", "Choisir un type d'organisme")] + Service.TypeOrganisme.choices


def _options_text(options: dict) -> str:
    return "\n".join(options.get("choices", []))


CSV_TAILLE_MAX = 2 * 1024 * 1024


def lire_csv_de_liste(fichier, *, liee: bool) -> list[str]:
    """The lines of a list read from a CSV file: first column (simple lists), or first and second
    columns written as --Primaire-- then its secondary values (linked drop-downs). Raises
    forms.ValidationError (French) when the file cannot be read."""
    import csv
    import io

    if fichier.size > CSV_TAILLE_MAX:
        raise forms.ValidationError("Le fichier CSV dépasse 2 Mo.")
    raw = fichier.read()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise forms.ValidationError("Le fichier CSV n'est pas lisible : enregistrez-le en UTF-8.")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text), dialect)]
    rows = [row for row in rows if row and any(row)]
    lines: list[str] = []
    primaire = None
    for row in rows:
        if not liee:
            if row[0]:
                lines.append(row[0])
            continue
        first, second = row[0], (row[1] if len(row) > 1 else "")
        if first and first != primaire:
            primaire = first
            lines.append(f"--{first}--")
        if second and primaire:
            lines.append(second)
    if not lines:
        raise forms.ValidationError("Le fichier CSV ne contient aucune valeur.")
    return lines


class TypeDeChampForm(DsfrFormMixin, forms.Form):
    """A champ's libellé, type and the options its type declares (demarches/fields/options.py)."""

    type_champ = forms.ChoiceField(label="Type de champ")
    libelle = forms.CharField(
        label="Libellé", max_length=500, error_messages={"required": "Indiquez le libellé du champ."}
    )
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=(
            "Une précision affichée sous le libellé pour aider l'usager. Mise en forme possible avec quelques balises HTML : "
            "gras, italique, souligné, paragraphes, titres, listes et liens ; toute autre balise est retirée."
        ),
    )
    mandatory = forms.BooleanField(label="Obligatoire", required=False)

    CSS = {**DsfrFormMixin.CSS, "checkboxselectmultiple": "", "clearablefileinput": "fr-upload", "fileinput": "fr-upload"}
    BASE_FIELDS = ("type_champ", "libelle", "description", "mandatory")

    def __init__(self, *args, type_de_champ=None, type_champ=None, prefix=None, types=None, **kwargs):
        from demarches.fields import options as champ_options

        self.type_de_champ = type_de_champ
        if type_de_champ is not None:
            initial = {
                "type_champ": type_de_champ.type_champ, "libelle": type_de_champ.libelle,
                "description": type_de_champ.description, "mandatory": type_de_champ.mandatory,
            }
            initial.update(kwargs.get("initial") or {})
            kwargs["initial"] = initial
        super().__init__(*args, prefix=prefix, **kwargs)
        types = list(types) if types is not None else registry.all_types()
        self.fields["type_champ"].choices = [(t.key, t.label) for t in types]
        keys = [t.key for t in types]
        if self.is_bound:
            chosen = self.data.get(self.add_prefix("type_champ"))
        else:
            chosen = type_champ or self.initial.get("type_champ")
        if chosen not in keys:
            chosen = type_de_champ.type_champ if type_de_champ is not None and type_de_champ.type_champ in keys else keys[0]
        if not self.is_bound:
            self.initial["type_champ"] = chosen
        self.field_type = registry.get(chosen)
        self.types_avec_options = [t.key for t in types if t.has_options]
        stored = dict(type_de_champ.options or {}) if type_de_champ is not None else {}
        if type_de_champ is not None and type_de_champ.type_champ != chosen:
            stored = {}
        self.option_specs = champ_options.options_de(self.field_type)
        self.modele_actuel = stored.get("modele") if isinstance(stored.get("modele"), dict) else None
        for option in self.option_specs:
            name = self.option_field_name(option)
            self.fields[name] = self._option_field(option)
            value = stored.get(option.key, option.initial)
            if option.kind in (champ_options.LISTE, champ_options.LISTE_LIEE):
                value = "\n".join(stored.get("choices", []))
                self.fields["options_csv"] = forms.FileField(
                    label="Importer la liste depuis un fichier CSV", required=False,
                    help_text="Facultatif. Remplace la liste ci-dessus. Fichier .csv de 2 Mo au maximum.",
                    widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
                )
            if option.kind == champ_options.FICHIER:
                value = None
                if self.modele_actuel:
                    self.fields["modele_supprimer"] = forms.BooleanField(
                        label=f"Retirer le modèle actuel ({self.modele_actuel.get('nom', '')})", required=False
                    )
            if option.kind == champ_options.CHOIX and value is not None:
                value = str(value)
            if not self.is_bound:
                self.initial[name] = value
        # DsfrFormMixin styled the base fields in super().__init__; style the option fields too.
        for name in self.fields:
            if name in self.BASE_FIELDS:
                continue
            css = self.CSS.get(self[name].widget_type, "fr-input")
            widget = self.fields[name].widget
            if css and css not in widget.attrs.get("class", ""):
                widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()

    @staticmethod
    def option_field_name(option) -> str:
        return "options" if option.key == "choices" else option.key

    def _option_field(self, option):
        from demarches.fields import options as champ_options

        common = {"label": option.label, "required": False, "help_text": option.help_text}
        kind = option.kind
        if kind == champ_options.BOOL:
            return forms.BooleanField(**common)
        if kind == champ_options.ENTIER:
            return forms.IntegerField(
                min_value=option.minimum, max_value=option.maximum, **common,
                error_messages={
                    "invalid": "Indiquez un nombre entier.",
                    "min_value": f"Indiquez un nombre supérieur ou égal à {option.minimum}.",
                    "max_value": f"Indiquez un nombre inférieur ou égal à {option.maximum}.",
                },
            )
        if kind == champ_options.DECIMAL:
            return forms.CharField(max_length=40, **common)
        if kind == champ_options.DATE:
            return forms.DateField(
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **common,
                error_messages={"invalid": "Indiquez une date valide, au format JJ/MM/AAAA."},
            )
        if kind == champ_options.CHOIX:
            return forms.ChoiceField(
                choices=option.choices, widget=forms.RadioSelect, **common,
                error_messages={"invalid_choice": "Choisissez une des valeurs proposées."},
            )
        if kind == champ_options.CHOIX_MULTIPLE:
            return forms.MultipleChoiceField(
                choices=option.choices, widget=forms.CheckboxSelectMultiple, **common,
                error_messages={"invalid_choice": "Choisissez parmi les valeurs proposées."},
            )
        if kind in (champ_options.LISTE, champ_options.LISTE_LIEE):
            return forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), **common)
        if kind == champ_options.FICHIER:
            return forms.FileField(**common, widget=forms.ClearableFileInput())
        return forms.CharField(max_length=champ_options.TEXTE_MAX, **common)

    def option_fields(self):
        """(option, bound field) pairs for the template, in declaration order."""
        return [(option, self[self.option_field_name(option)]) for option in self.option_specs]

    def clean(self):
        from demarches.fields import options as champ_options

        cleaned = super().clean()
        raw = {}
        for option in self.option_specs:
            name = self.option_field_name(option)
            if name in self.errors:
                continue
            value = cleaned.get(name)
            if option.kind == champ_options.DATE and value:
                value = value.isoformat()
            if option.kind in (champ_options.LISTE, champ_options.LISTE_LIEE):
                fichier = cleaned.get("options_csv")
                if fichier:
                    try:
                        value = lire_csv_de_liste(fichier, liee=option.kind == champ_options.LISTE_LIEE)
                    except forms.ValidationError as error:
                        self.add_error("options_csv", error)
                        continue
            if option.kind == champ_options.FICHIER:
                continue  # files are stored by the editor service
            raw[option.key] = value
        options, errors = champ_options.verifier(self.field_type, raw)
        for key, message in errors.items():
            name = "options" if key == "choices" else key
            if name in self.fields and name not in self.errors:
                self.add_error(name, message)
        for option in self.option_specs:
            if option.kind == champ_options.FICHIER:
                options.pop(option.key, None)
        cleaned["options_dict"] = options
        cleaned["modele_fichier"] = cleaned.get("modele") if "modele" in self.fields else None
        cleaned["modele_supprimer"] = bool(cleaned.get("modele_supprimer"))
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
    lien_site = forms.CharField(
        label="Où les usagers trouveront-ils le lien de la démarche ?", max_length=500, required=False,
        help_text=(
            "Typiquement, une page de votre site internet, par exemple : https://exemple.gouv.fr/ma-demarche. "
            "Sinon, le moyen de diffusion, par exemple : courriel."
        ),
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
    dossier_apercu = forms.IntegerField(
        label="Numéro du dossier pour l'aperçu (facultatif)", required=False, min_value=1,
        help_text=(
            "Un dossier de test de cette démarche, ou un dossier que vous instruisez. "
            "Sans numéro, l'aperçu utilise un dossier d'exemple."
        ),
        error_messages={"invalid": "Indiquez un numéro de dossier.", "min_value": "Indiquez un numéro de dossier."},
    )


# Attestation images (up to four of 1 Mo, base64 adds a third) travel inside the document.
IMPORT_TAILLE_MAX = 8 * 1024 * 1024


class ImportForm(DsfrFormMixin, forms.Form):
    fichier = forms.FileField(
        label="Fichier de la démarche (.json)",
        help_text="Un fichier obtenu avec le bouton « Exporter la démarche » de cette plateforme ou d'une autre. Taille maximale : 8 Mo.",
        error_messages={"required": "Choisissez le fichier de la démarche à importer."},
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
    )

    CSS = {**DsfrFormMixin.CSS, "clearablefileinput": "fr-upload"}

    def clean_fichier(self):
        fichier = self.cleaned_data["fichier"]
        if fichier.size > IMPORT_TAILLE_MAX:
            raise forms.ValidationError("Le fichier dépasse 8 Mo : ce n'est pas un export de démarche.")
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
