from django.urls import reverse

PROFILES = (
    ("usager", "Usager", "dossiers:index", None),
    ("instructeur", "Instructeur", "instruction:procedures", "instructeur"),
    ("administrateur", "Administrateur", "procedures:index", "administrateur"),
    ("expert", "Expert", "instruction:avis", "expert"),
)


def available_profiles(user) -> list[dict]:
    if not user.is_authenticated:
        return []
    profiles = []
    for key, label, url_name, attribute in PROFILES:
        if attribute is None or hasattr(user, attribute):
            profiles.append({"key": key, "label": label, "url": reverse(url_name)})
    return profiles


def current_profile_key(request) -> str:
    namespace = getattr(getattr(request, "resolver_match", None), "namespace", "") or ""
    if namespace in ("instruction", "exports"):
        return "expert" if request.resolver_match.url_name.startswith("avis") else "instructeur"
    if namespace == "procedures" or (namespace == "documents" and request.resolver_match.url_name.startswith(("attestation_modele", "attestation_apercu"))):
        return "administrateur"
    return "usager"


def profiles(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"profiles": [], "current_profile": None}
    items = available_profiles(user)
    current = current_profile_key(request)
    return {"profiles": items, "current_profile": next((p for p in items if p["key"] == current), items[0])}
