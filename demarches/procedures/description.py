"""Checks of what an administrateur writes or uploads to describe his démarche to usagers:
the formatted description (sanitised with nh3), logo, notice, délibération, DPO contact, MonAvis button. Errors are French ValidationErrors."""

import re
from html import unescape as html_unescape
from html.parser import HTMLParser
from urllib.parse import urlparse

import nh3
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.template.defaultfilters import filesizeformat
from django.utils.html import linebreaks
from django.utils.safestring import SafeString, mark_safe
from PIL import Image, UnidentifiedImageError

LOGO_TAILLE_MAX = 5 * 1024 * 1024
DOCUMENT_TAILLE_MAX = 20 * 1024 * 1024
DUREE_ESTIMEE_MAX = 600

LOGO_FORMATS = {"PNG": (".png",), "JPEG": (".jpg", ".jpeg")}

# File signatures: what the first bytes of a real file of each family look like.
PDF = b"%PDF-"
ZIP = b"PK\x03\x04"  # docx, xlsx, pptx, odt, ods, odp
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # doc, xls, ppt
PNG = b"\x89PNG\r\n\x1a\n"
JPEG = b"\xff\xd8\xff"
DOCUMENT_SIGNATURES = {
    ".pdf": PDF,
    ".doc": OLE, ".xls": OLE, ".ppt": OLE,
    ".docx": ZIP, ".xlsx": ZIP, ".pptx": ZIP, ".odt": ZIP, ".ods": ZIP, ".odp": ZIP,
}
DELIBERATION_SIGNATURES = {**DOCUMENT_SIGNATURES, ".png": PNG, ".jpg": JPEG, ".jpeg": JPEG}
DOCUMENT_ACCEPT = ",".join(DOCUMENT_SIGNATURES)
DELIBERATION_ACCEPT = ",".join(DELIBERATION_SIGNATURES)

MONAVIS_HOTES = {"voxusagers.numerique.gouv.fr", "monavis.numerique.gouv.fr", "jedonnemonavis.numerique.gouv.fr"}


def _extension(name: str) -> str:
    name = (name or "").lower()
    return name[name.rfind("."):] if "." in name else ""


def _taille(uploaded, maximum: int, label: str) -> None:
    if uploaded.size > maximum:
        raise ValidationError(
            f"Le fichier {label} est trop volumineux ({filesizeformat(uploaded.size)}) : "
            f"la taille maximale est de {maximum // (1024 * 1024)} Mo."
        )


def logo_verifier(uploaded) -> None:
    """PNG or JPEG, at most 5 MB, and really an image of that format (not only its name)."""
    _taille(uploaded, LOGO_TAILLE_MAX, "du logo")
    extension = _extension(uploaded.name)
    if extension not in (".png", ".jpg", ".jpeg"):
        raise ValidationError("Le logo doit être une image PNG ou JPEG (fichier .png, .jpg ou .jpeg).")
    try:
        with Image.open(uploaded) as image:
            image_format = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError("Le fichier du logo n'est pas une image lisible : choisissez une image PNG ou JPEG.") from None
    finally:
        uploaded.seek(0)
    if extension not in LOGO_FORMATS.get(image_format, ()):
        raise ValidationError("Le contenu du fichier ne correspond pas à son extension : choisissez une image PNG ou JPEG.")


def _document_verifier(uploaded, signatures: dict, label: str, formats: str) -> None:
    _taille(uploaded, DOCUMENT_TAILLE_MAX, label)
    signature = signatures.get(_extension(uploaded.name))
    if signature is None:
        raise ValidationError(f"Ce format de fichier n'est pas accepté : choisissez un fichier {formats}.")
    start = uploaded.read(len(signature))
    uploaded.seek(0)
    if start != signature:
        raise ValidationError("Le contenu du fichier ne correspond pas à son extension : le fichier est peut-être endommagé.")


def notice_verifier(uploaded) -> None:
    _document_verifier(uploaded, DOCUMENT_SIGNATURES, "de la notice", "PDF ou bureautique (Word, Excel, PowerPoint, LibreOffice)")


def deliberation_verifier(uploaded) -> None:
    _document_verifier(
        uploaded, DELIBERATION_SIGNATURES, "de la délibération", "PDF, bureautique ou image (PNG, JPEG)",
    )


def dpo_normaliser(value: str) -> str:
    """An e-mail address or a web address (https://…) where usagers reach the DPO."""
    value = (value or "").strip()
    if not value:
        return ""
    if value.startswith(("http://", "https://")):
        try:
            URLValidator(schemes=["http", "https"])(value)
        except ValidationError:
            raise ValidationError("Saisissez une adresse web valide, par exemple https://www.exemple.fr/dpo.") from None
        return value
    try:
        validate_email(value)
    except ValidationError:
        raise ValidationError(
            "Saisissez une adresse électronique (par exemple dpo@exemple.fr) ou une adresse web commençant par https://."
        ) from None
    return value.lower()


def _monavis_url(url: str) -> bool:
    parsed = urlparse(url or "")
    return parsed.scheme == "https" and parsed.hostname in MONAVIS_HOTES


class _MonAvisParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.liens, self.images, self.autres, self.texte = [], [], [], ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a":
            self.liens.append(attrs)
        elif tag == "img":
            self.images.append(attrs)
        else:
            self.autres.append(tag)

    def handle_data(self, data):
        self.texte += data


def monavis_nettoyer(code: str) -> str:
    """Only the markup of the official button is kept: <a href> and <img src alt title>."""
    return nh3.clean(
        code or "",
        tags={"a", "img"},
        attributes={"a": {"href", "title"}, "img": {"src", "alt", "title"}},
        url_schemes={"https"},
        link_rel="noopener noreferrer",
    ).strip()


def monavis_verifier(code: str) -> str:
    """The sanitised button, or a ValidationError when the code is not the official MonAvis button."""
    code = (code or "").strip()
    if not code:
        return ""
    propre = monavis_nettoyer(code)
    parser = _MonAvisParser()
    parser.feed(propre)
    erreur = ValidationError(
        "Ce code n'est pas celui du bouton MonAvis : copiez le code fourni par voxusagers.numerique.gouv.fr "
        "(il commence par <a href=\"https://voxusagers.numerique.gouv.fr/…\">)."
    )
    if len(parser.liens) != 1 or len(parser.images) != 1 or parser.autres or parser.texte.strip():
        raise erreur
    if not _monavis_url(parser.liens[0].get("href")) or not _monavis_url(parser.images[0].get("src")):
        raise erreur
    if not (parser.images[0].get("alt") or "").strip():
        raise erreur
    return propre


# --- Rich-text description of the démarche ------------------------------------------------------------

DESCRIPTION_BALISES = {"p", "br", "strong", "em", "u", "h2", "h3", "h4", "ul", "ol", "li", "a"}
# What the browser's editing commands produce, mapped to the allowed tags before sanitising.
_EQUIVALENTS = {"b": "strong", "i": "em", "div": "p", "h1": "h2"}
_BALISE = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(\s[^<>]*)?/?>")
_EQUIVALENT = re.compile(r"<(/?)\s*(b|i|div|h1)(\s[^>]*)?>", re.IGNORECASE)


def description_est_html(texte: str) -> bool:
    """Whether a description carries markup; older descriptions are plain text with line breaks."""
    return bool(_BALISE.search(texte or ""))


def description_nettoyer(texte: str) -> str:
    """The description reduced to the allowed formatting: paragraphs, line breaks, bold, italic,
    underline, titles (h2 to h4), lists and links (http, https or mailto, opened with rel="noopener").
    Scripts, styles, event attributes and javascript: links are removed. Plain text is kept as is."""
    texte = (texte or "").replace("\x00", "").replace("\r\n", "\n").strip()
    if not description_est_html(texte):
        return texte
    texte = _EQUIVALENT.sub(lambda m: f"<{m.group(1)}{_EQUIVALENTS[m.group(2).lower()]}>", texte)
    propre = nh3.clean(
        texte,
        tags=DESCRIPTION_BALISES,
        clean_content_tags={"script", "style"},
        attributes={"a": {"href"}, "*": set()},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener",
        strip_comments=True,
    ).strip()
    # Empty blocks left by the editor (<p></p>, <p><br></p>) say nothing.
    return re.sub(r"<(p|h2|h3|h4|li)>\s*(<br>\s*)*</\1>", "", propre).strip()


def description_html(texte: str) -> SafeString:
    """The description as shown to usagers and instructeurs: sanitised again on display (imported
    or older values may not have gone through the form), plain text turned into paragraphs."""
    texte = texte or ""
    if not description_est_html(texte):
        return mark_safe(linebreaks(texte, autoescape=True))  # noqa: S308 (escaped by linebreaks)
    return mark_safe(description_nettoyer(texte))  # noqa: S308 (sanitised by nh3 just above)


def description_texte(texte: str) -> str:
    """The description without its markup, for e-mails, meta descriptions and exports."""
    if not description_est_html(texte):
        return (texte or "").strip()
    blocs = re.sub(r"</(p|h2|h3|h4|li)>|<br\s*/?>", "\n", description_nettoyer(texte))
    return html_unescape(nh3.clean(blocs, tags=set())).strip()
