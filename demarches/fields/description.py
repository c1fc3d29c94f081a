"""The description of a champ as the usager reads it. Administrateurs may format it with a few HTML
tags (bold, italic, underline, paragraphs, titles, lists, links: seed « Nouveautés pour les
administrateurs »); anything else is removed. Plain text keeps its line breaks."""

import re

import nh3
from django.template.defaultfilters import linebreaksbr
from django.utils.html import linebreaks
from django.utils.safestring import SafeString, mark_safe

_BALISE = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(\s[^<>]*)?/?>")
INLINE = {"strong", "em", "u", "br", "a"}
BLOC = INLINE | {"p", "ul", "ol", "li"}
_REMPLACEMENTS = (
    (re.compile(r"<(/?)\s*b(\s[^<>]*)?>", re.IGNORECASE), r"<\1strong>"),
    (re.compile(r"<(/?)\s*i(\s[^<>]*)?>", re.IGNORECASE), r"<\1em>"),
    (re.compile(r"<(/?)\s*div(\s[^<>]*)?>", re.IGNORECASE), r"<\1p>"),
    # Titles become bold paragraphs: the form's own headings keep the page outline.
    (re.compile(r"<\s*h[1-6](\s[^<>]*)?>", re.IGNORECASE), "<p><strong>"),
    (re.compile(r"</\s*h[1-6]\s*>", re.IGNORECASE), "</strong></p>"),
)
# Inside a label's hint only inline markup fits: paragraphs and list items become line breaks.
_BLOCS_EN_LIGNES = (
    (re.compile(r"</\s*(p|li)\s*>", re.IGNORECASE), "<br>"),
    (re.compile(r"<\s*li(\s[^<>]*)?>", re.IGNORECASE), "– "),
)
_BLOC_HTML = re.compile(r"<\s*(p|div|ul|ol|li|h[1-6]|br)\b", re.IGNORECASE)
_BR_FINAUX = re.compile(r"(\s*<br\s*/?>\s*)+$")


def est_html(texte: str) -> bool:
    return bool(_BALISE.search(texte or ""))


def description_html(texte: str, *, bloc: bool = False) -> SafeString:
    """The sanitised description: inline markup only (for a label's hint) unless `bloc`."""
    texte = (texte or "").replace("\x00", "").replace("\r\n", "\n").strip()
    if not est_html(texte):
        # As before formatting was allowed: escaped, line breaks kept.
        return linebreaks(texte, autoescape=True) if bloc else linebreaksbr(texte, autoescape=True)
    if not _BLOC_HTML.search(texte):  # inline markup typed on several lines: the lines stay
        texte = texte.replace("\n", "<br>")
    for pattern, replacement in _REMPLACEMENTS:
        texte = pattern.sub(replacement, texte)
    if not bloc:
        for pattern, replacement in _BLOCS_EN_LIGNES:
            texte = pattern.sub(replacement, texte)
    propre = nh3.clean(
        texte,
        tags=BLOC if bloc else INLINE,
        clean_content_tags={"script", "style"},
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    propre = re.sub(r"<(p|li)>\s*(<br>\s*)*</\1>", "", propre)
    return mark_safe(_BR_FINAUX.sub("", propre.strip()))  # noqa: S308 (sanitised by nh3 just above)
