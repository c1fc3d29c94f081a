from django import forms

from demarches.procedures.forms import DsfrFormMixin

from .services import DEFAULT_DURATION_DAYS, TOKEN_DURATIONS_DAYS

DURATION_LABELS = {7: "1 semaine", 30: "30 jours", 90: "3 mois", 182: "6 mois", 365: "1 an (maximum)"}


class APITokenForm(DsfrFormMixin, forms.Form):
    CSS = {**DsfrFormMixin.CSS, "checkboxselectmultiple": ""}

    name = forms.CharField(
        label="Nom du jeton", max_length=120,
        help_text="Pour le reconnaître dans la liste, par exemple le nom du logiciel qui l'utilise.",
        error_messages={"required": "Donnez un nom au jeton, pour le reconnaître plus tard."},
    )
    acces = forms.ChoiceField(
        label="Démarches accessibles",
        choices=[("toutes", "Toutes mes démarches, y compris celles que je créerai"), ("choix", "Seulement les démarches choisies ci-dessous")],
        initial="toutes", widget=forms.RadioSelect,
    )
    procedures = forms.ModelMultipleChoiceField(
        label="Démarches choisies", queryset=None, required=False, widget=forms.CheckboxSelectMultiple,
        help_text="Utilisé seulement si vous avez choisi « Seulement les démarches choisies ».",
    )
    droits = forms.ChoiceField(
        label="Droits",
        choices=[("lecture", "Lecture seule"), ("ecriture", "Lecture et écriture (changer l'état des dossiers, envoyer des messages)")],
        initial="lecture", widget=forms.RadioSelect,
    )
    duree_jours = forms.TypedChoiceField(
        label="Durée de validité", coerce=int, initial=DEFAULT_DURATION_DAYS, widget=forms.RadioSelect,
        choices=[(days, DURATION_LABELS[days]) for days in TOKEN_DURATIONS_DAYS],
    )
    allowed_networks = forms.CharField(
        label="Adresses IP autorisées (facultatif)", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Une adresse ou une plage par ligne (par exemple 192.0.2.10 ou 192.0.2.0/24). Vide : toutes les adresses.",
    )

    def __init__(self, *args, procedures, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["procedures"].queryset = procedures
        self.fields["procedures"].label_from_instance = lambda procedure: f"n° {procedure.pk} — {procedure.libelle}"

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("acces") == "choix" and not cleaned.get("procedures"):
            self.add_error("procedures", "Cochez au moins une démarche, ou donnez accès à toutes vos démarches.")
        return cleaned

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "write_access": data["droits"] == "ecriture",
            "procedures": list(data["procedures"]) if data["acces"] == "choix" else [],
            "duree_jours": data["duree_jours"],
            "allowed_networks": data["allowed_networks"].splitlines(),
        }


class WebhookForm(DsfrFormMixin, forms.Form):
    url = forms.URLField(
        label="Adresse du lien de rappel HTTP", required=False, max_length=500, assume_scheme="https",
        help_text="Appelée à chaque changement d'état d'un dossier. Laissez vide pour ne plus envoyer de notification.",
        widget=forms.URLInput(attrs={"placeholder": "https://exemple.fr/notifications"}),
    )
