"""HTML templates to PDF with WeasyPrint; QR codes with segno.

Rendering never reaches the network or the disk beyond the bundled Marianne fonts: images (logo,
signature, QR code) are inlined as data URIs, and the URL fetcher refuses everything else.
"""

import base64
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlparse

import segno
import weasyprint
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from weasyprint.urls import URLFetcher

FONT_FILES = {400: "Marianne-Regular.woff2", 700: "Marianne-Bold.woff2"}


def _font_dir() -> Path | None:
    found = finders.find("dsfr/dist/fonts/Marianne-Regular.woff2")
    return Path(found).resolve().parent if found else None


FONT_DIR = _font_dir()


class _LocalOnlyFetcher(URLFetcher):
    """Only data: URIs and the bundled fonts; any other URL (http, other files) is refused."""

    def __init__(self):
        super().__init__(allowed_protocols=("data", "file"))

    def fetch(self, url, headers=None):
        if url.lower().startswith("file:"):
            path = Path(unquote(urlparse(url).path)).resolve()
            if FONT_DIR is None or path.parent != FONT_DIR:
                raise ValueError(f"ressource refusée : {url}")
        return super().fetch(url, headers)


def fonts() -> list[dict]:
    if FONT_DIR is None:
        return []
    return [{"weight": w, "url": (FONT_DIR / name).as_uri()} for w, name in FONT_FILES.items() if (FONT_DIR / name).exists()]


def data_uri(content: bytes, content_type: str) -> str:
    return f"data:{content_type};base64,{base64.b64encode(content).decode('ascii')}"


def image_data_uri(field_file) -> str:
    """An uploaded image (logo, signature) inlined; empty when there is none or it cannot be read."""
    if not field_file:
        return ""
    try:
        with field_file.open("rb") as handle:
            content = handle.read()
    except (FileNotFoundError, OSError):
        return ""
    content_type = mimetypes.guess_type(field_file.name)[0] or "image/png"
    return data_uri(content, content_type)


def verification_url(code: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("documents:verifier", args=[code])


def qr_code(url: str) -> str:
    """The QR code of a URL as an SVG data URI (error correction M survives a fold or a stain)."""
    return segno.make(url, error="m").svg_data_uri(scale=4, border=0, dark="#000000")


def pdf(template: str, context: dict) -> bytes:
    """Render a template of templates/documents/pdf/ to PDF bytes, in French and in local time."""
    with translation.override(settings.LANGUAGE_CODE), timezone.override(settings.TIME_ZONE):
        html = render_to_string(
            template,
            {
                "fonts": fonts(),
                "application_name": settings.APPLICATION_NAME,
                "site_url": settings.SITE_URL.rstrip("/"),
                "genere_le": timezone.now(),
                **context,
            },
        )
    return weasyprint.HTML(string=html, url_fetcher=_LocalOnlyFetcher()).write_pdf()
