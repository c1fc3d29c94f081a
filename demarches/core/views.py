from django.contrib.admin.views.decorators import staff_member_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render

from .models import OutgoingEmail


def home(request):
    if request.user.is_authenticated:
        from demarches.accounts.context_processors import available_profiles

        profiles = available_profiles(request.user)
        # Agents land on their workspace; usagers on their dossiers.
        for key in ("administrateur", "instructeur", "expert", "usager"):
            for profile in profiles:
                if profile["key"] == key:
                    return redirect(profile["url"])
    return render(request, "core/home.html")


@staff_member_required(login_url="account_login")
def sent_emails(request):
    emails = OutgoingEmail.objects.only("to", "subject", "kind", "status", "created_at", "sent_at")
    page = Paginator(emails, 50).get_page(request.GET.get("page"))
    return render(request, "core/sent_emails.html", {"page": page})


@staff_member_required(login_url="account_login")
def sent_email(request, pk):
    return render(request, "core/sent_email.html", {"email": get_object_or_404(OutgoingEmail, pk=pk)})
