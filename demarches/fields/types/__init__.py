# Each module registers its types; the import order is the order of the editor's list of types.
# isort: skip_file
from . import basic, formatted, engagement, choice, linked_drop_down_list  # noqa: F401
from . import layout, repetition, dossier_link, piece_justificative  # noqa: F401
from . import adresse, communes, departements, regions, epci, pays  # noqa: F401
from . import iban, siret, rna  # noqa: F401
from . import carte, titre_identite  # noqa: F401
