from django import forms

from demarches.instruction.selectors import TAB_KEYS

from .models import Export


class ExportDemandeForm(forms.Form):
    format = forms.ChoiceField(
        choices=Export.Format.choices,
        error_messages={
            "required": "Choisissez un format d'export.",
            "invalid_choice": "Choisissez un format d'export : .xlsx, .ods ou .csv.",
        },
    )
    statut = forms.ChoiceField(choices=[(key, key) for key in TAB_KEYS])
    archives = forms.BooleanField(required=False)
    label = forms.IntegerField(required=False, min_value=1)
