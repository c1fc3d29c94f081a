from . import basic, choice, layout, piece_justificative  # noqa: F401
