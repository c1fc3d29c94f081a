from django import forms
from django.contrib import messages as flash
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from . import notifications
from .models import PreferencesNotification
from .views import _procedure, instructeur_required

INSTANTANEES = ("email_nouveau_dossier", "email_message", "email_avis")
RECAPITULATIFS = ("recapitulatif_quotidien", "recapitulatif_hebdomadaire")


class PreferencesNotificationForm(forms.ModelForm):
    class Meta:
        model = PreferencesNotification
        fields = [*INSTANTANEES, *RECAPITULATIFS]


@require_http_methods(["GET", "POST"])
@instructeur_required
def notifications_gerer(request, procedure_id):
    procedure = _procedure(request, procedure_id)
    prefs = notifications.preferences(request.instructeur, procedure)
    form = PreferencesNotificationForm(request.POST or None, instance=prefs)
    if request.method == "POST" and form.is_valid():
        notifications.preferences_enregistrer(
            instructeur=request.instructeur, procedure=procedure, **{name: form.cleaned_data[name] for name in form.fields}
        )
        flash.success(request, "Vos préférences de notification sont enregistrées.")
        return redirect("instruction:notifications", procedure.pk)
    return render(
        request,
        "instruction/notifications.html",
        {
            "procedure": procedure,
            "form": form,
            "instantanees": [form[name] for name in INSTANTANEES],
            "recapitulatifs": [form[name] for name in RECAPITULATIFS],
        },
    )
