from django import forms

from demarches.instruction.selectors import TAB_KEYS

from .models import Export, ExportModele


class ExportDemandeForm(forms.Form):
    format = forms.ChoiceField(
        choices=Export.Format.choices,
        required=False,
        error_messages={"invalid_choice": "Choisissez un format d'export : .xlsx, .ods, .csv, GeoJSON ou .zip."},
    )
    statut = forms.ChoiceField(choices=[(key, key) for key in TAB_KEYS])
    archives = forms.BooleanField(required=False)
    label = forms.IntegerField(required=False, min_value=1)
    # The search typed in the dossier list (its filters and sort are the instructeur's remembered ones).
    q = forms.CharField(required=False, max_length=200)
    # A modèle d'export of the démarche: it then decides the format, columns and names.
    modele = forms.IntegerField(required=False, min_value=1)

    def clean(self):
        data = super().clean()
        if not data.get("format") and not data.get("modele"):
            raise forms.ValidationError("Choisissez un format d'export.")
        return data


class ExportModeleForm(forms.Form):
    """Posted by the modèle page: columns are posted as "colonne" (the chosen keys) and "ordre-<key>"."""

    nom = forms.CharField(max_length=100, error_messages={"required": "Donnez un nom au modèle."})
    format = forms.ChoiceField(
        choices=ExportModele.Format.choices,
        error_messages={"required": "Choisissez un format.", "invalid_choice": "Choisissez un format : .xlsx, .ods, .csv ou .zip."},
    )
    nom_dossier = forms.CharField(max_length=200, required=False)
    nom_pdf = forms.CharField(max_length=200, required=False)

    def __init__(self, *args, catalogue=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.catalogue = list(catalogue)

    def colonnes_choisies(self) -> list[str]:
        """The checked columns, by their "ordre" number (then the catalogue's order)."""
        if not self.data:
            return []
        checked = set(self.data.getlist("colonne"))
        ranked = []
        for position, column in enumerate(self.catalogue):
            if column.key not in checked:
                continue
            try:
                ordre = float(str(self.data.get(f"ordre-{column.key}", "")).replace(",", "."))
            except ValueError:
                ordre = float(position + 1)
            ranked.append((ordre, position, column.key))
        return [key for _, _, key in sorted(ranked)]
