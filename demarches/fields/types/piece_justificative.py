from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.template.defaultfilters import filesizeformat

from ..registry import FieldType, StoredValue, register

# Formats accepted by default: documents, images, spreadsheets, archives of the usual office suites.
ALLOWED_CONTENT_TYPES = {
    "application/pdf": (".pdf",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
    "image/gif": (".gif",),
    "image/tiff": (".tif", ".tiff"),
    "image/heic": (".heic",),
    "text/plain": (".txt",),
    "text/csv": (".csv",),
    "application/msword": (".doc",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx",),
    "application/vnd.ms-excel": (".xls",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (".xlsx",),
    "application/vnd.ms-powerpoint": (".ppt",),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": (".pptx",),
    "application/vnd.oasis.opendocument.text": (".odt",),
    "application/vnd.oasis.opendocument.spreadsheet": (".ods",),
    "application/vnd.oasis.opendocument.presentation": (".odp",),
    "application/zip": (".zip",),
}
ALLOWED_EXTENSIONS = {ext for exts in ALLOWED_CONTENT_TYPES.values() for ext in exts}

# Leading bytes of the binary formats we accept: the declared type must match what the file is.
MAGIC_NUMBERS = {
    ".pdf": (b"%PDF",),
    ".png": (b"\x89PNG",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".gif": (b"GIF8",),
    ".zip": (b"PK",),
    ".docx": (b"PK",),
    ".xlsx": (b"PK",),
    ".pptx": (b"PK",),
    ".odt": (b"PK",),
    ".ods": (b"PK",),
    ".odp": (b"PK",),
}


def check_upload(uploaded, *, max_size: int | None = None) -> None:
    """Raise ValidationError (French) unless the file's size, extension and content are acceptable."""
    max_size = max_size or settings.PIECE_JUSTIFICATIVE_MAX_SIZE
    name = uploaded.name or ""
    extension = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if uploaded.size == 0:
        raise ValidationError(gettext("Le fichier « %(nom)s » est vide.") % {"nom": name})
    if uploaded.size > max_size:
        raise ValidationError(
            gettext("Le fichier « %(nom)s » est trop volumineux (%(taille)s) : la taille maximale est de %(max)s.")
            % {"nom": name, "taille": filesizeformat(uploaded.size), "max": filesizeformat(max_size)}
        )
    if extension not in ALLOWED_EXTENSIONS:
        raise ValidationError(
            gettext(
                "Le format du fichier « %(nom)s » n'est pas accepté. Formats acceptés : PDF, images (JPG, PNG), "
                "documents bureautiques (Word, Excel, OpenDocument), texte, CSV, ZIP."
            )
            % {"nom": name}
        )
    signatures = MAGIC_NUMBERS.get(extension)
    if signatures:
        head = uploaded.read(8)
        uploaded.seek(0)
        if not any(head.startswith(sig) for sig in signatures):
            raise ValidationError(
                gettext("Le contenu du fichier « %(nom)s » ne correspond pas à son extension %(extension)s.")
                % {"nom": name, "extension": extension}
            )


@register
class PieceJustificative(FieldType):
    key = "piece_justificative"
    label = "Pièce justificative"
    template = "fields/widgets/piece_justificative.html"
    accepts_files = True

    def parse(self, raw, *, options):
        return StoredValue()

    def is_empty(self, stored):
        # Emptiness of a pièce justificative is decided by its attachments (see dossiers).
        return not stored.data

    # Conditions only ask whether files were attached (the stored text is always empty).
    condition_operators = ("empty", "not_empty")

    def condition_value(self, stored):
        return True if stored.data else None

    def display(self, stored):
        return ", ".join(stored.data or [])
