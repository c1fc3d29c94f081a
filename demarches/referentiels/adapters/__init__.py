"""External services behind adapters (offline twin + real HTTP client). See base.py."""

from .base import HORS_LIGNE, ServiceIndisponible, get, implementations, remplacer  # noqa: F401
