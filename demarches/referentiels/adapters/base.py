"""What every external-service adapter shares: a registry of implementations by kind, the error
that means « the service did not answer » (degraded mode), and a small JSON-over-HTTP client.

Each kind (entreprise, association, adresse) has an offline implementation answering from bundled
data — the default in development and tests — and a real HTTP client. The implementation in use
is chosen by settings.REFERENTIELS_ADAPTATEURS, e.g. {"adresse": "ban", "entreprise": "api"}.
"""

import json
import logging
import socket
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager

from django.conf import settings

logger = logging.getLogger(__name__)

HORS_LIGNE = "hors_ligne"
DEFAULT_TIMEOUT = 3.0  # seconds: a form must not wait longer for an external service


class ServiceIndisponible(Exception):
    """The external service failed (timeout, network, server error, unreadable answer)."""


class Adapter:
    kind: str = ""
    id: str = ""
    label: str = ""


_implementations: dict[tuple[str, str], type[Adapter]] = {}
_overrides: dict[str, Adapter] = {}


def register(cls: type[Adapter]) -> type[Adapter]:
    key = (cls.kind, cls.id)
    if key in _implementations:
        raise ValueError(f"adaptateur déjà enregistré : {cls.kind}/{cls.id}")
    _implementations[key] = cls
    return cls


def implementations(kind: str) -> list[str]:
    return sorted(adapter_id for (k, adapter_id) in _implementations if k == kind)


def get(kind: str) -> Adapter:
    """The adapter configured for `kind` (offline by default)."""
    from . import adresse, association, cadastre, entreprise  # noqa: F401  (registers the implementations)

    if kind in _overrides:
        return _overrides[kind]
    configured = getattr(settings, "REFERENTIELS_ADAPTATEURS", {}).get(kind, HORS_LIGNE)
    try:
        return _implementations[(kind, configured)]()
    except KeyError:
        raise ValueError(f"Adaptateur inconnu pour « {kind} » : {configured}") from None


@contextmanager
def remplacer(kind: str, adapter: Adapter):
    """Use `adapter` for `kind` within the block (tests, management commands)."""
    previous = _overrides.get(kind)
    _overrides[kind] = adapter
    try:
        yield adapter
    finally:
        if previous is None:
            _overrides.pop(kind, None)
        else:
            _overrides[kind] = previous


def urllib_transport(url: str, *, timeout: float, headers: dict) -> tuple[int, bytes]:
    """GET `url`; returns (status, body). Raises OSError/TimeoutError on network failures."""
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (https URLs from settings)
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read() if exc.fp else b""


class JsonHttpClient:
    """GET JSON with a timeout. `transport` is the network layer, replaced in tests by recorded responses."""

    def __init__(self, base_url: str, *, timeout: float | None = None, transport=None, headers: dict | None = None):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout if timeout is not None else getattr(settings, "REFERENTIELS_TIMEOUT", DEFAULT_TIMEOUT)
        self.transport = transport or urllib_transport
        self.headers = {"Accept": "application/json", "User-Agent": "demarches (plateforme de démarches en ligne)"}
        self.headers.update(headers or {})

    def url(self, path: str, params: dict | None = None) -> str:
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        return f"{self.base_url}/{path.lstrip('/')}{query}"

    def get(self, path: str, params: dict | None = None, *, not_found=(404,)):
        """The decoded JSON, or None for a « not found » status; ServiceIndisponible otherwise."""
        url = self.url(path, params)
        try:
            status, body = self.transport(url, timeout=self.timeout, headers=self.headers)
        except (OSError, socket.timeout, TimeoutError, ValueError) as exc:
            logger.warning("Service externe injoignable (%s) : %s", url, exc)
            raise ServiceIndisponible(str(exc)) from exc
        if status in not_found:
            return None
        if status != 200:
            logger.warning("Service externe en erreur (%s) : HTTP %s", url, status)
            raise ServiceIndisponible(f"HTTP {status}")
        try:
            return json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            logger.warning("Réponse illisible du service externe (%s) : %s", url, exc)
            raise ServiceIndisponible("réponse illisible") from exc
