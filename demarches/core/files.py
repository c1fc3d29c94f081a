"""Serve stored files only after a view has checked the permission."""

from django.http import FileResponse, Http404


def file_response(field_file, filename: str | None = None, *, inline: bool = False) -> FileResponse:
    if not field_file:
        raise Http404("Fichier introuvable")
    try:
        handle = field_file.open("rb")
    except FileNotFoundError:
        raise Http404("Fichier introuvable") from None
    name = filename or field_file.name.rsplit("/", 1)[-1]
    response = FileResponse(handle, as_attachment=not inline, filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response
