"""Labels of the INSEE codes that the company registry returns as bare codes.

Only the most common entries are listed (and every one used by the offline data); an unknown code
is shown as the code itself, which stays correct, only less readable.
"""

# Catégories juridiques (INSEE, niveau III).
FORMES_JURIDIQUES = {
    "1000": "Entrepreneur individuel",
    "5202": "Société en nom collectif",
    "5306": "Société en commandite simple",
    "5458": "SARL coopérative ouvrière de production (SCOP)",
    "5485": "Société d'exercice libéral à responsabilité limitée (SELARL)",
    "5498": "SARL unipersonnelle (EURL)",
    "5499": "Société à responsabilité limitée (SARL)",
    "5599": "Société anonyme à conseil d'administration",
    "5699": "Société anonyme à directoire",
    "5710": "Société par actions simplifiée (SAS)",
    "5720": "Société par actions simplifiée à associé unique (SASU)",
    "6220": "Groupement d'intérêt économique (GIE)",
    "6532": "Groupement agricole d'exploitation en commun (GAEC)",
    "6533": "Société civile d'exploitation agricole (SCEA)",
    "6540": "Société civile immobilière (SCI)",
    "6585": "Société civile de moyens",
    "7210": "Commune et commune nouvelle",
    "7220": "Département",
    "7229": "Collectivité territoriale (autre)",
    "7230": "Région",
    "7346": "Communauté de communes",
    "7348": "Communauté d'agglomération",
    "7361": "Centre communal d'action sociale",
    "7389": "Établissement public national à caractère administratif",
    "8110": "Régime général de la Sécurité sociale",
    "9210": "Association non déclarée",
    "9220": "Association déclarée",
    "9221": "Association déclarée d'insertion par l'économique",
    "9230": "Association déclarée reconnue d'utilité publique",
    "9300": "Fondation",
}

# Nomenclature d'activités française (NAF rév. 2), sous-classes.
NAF = {
    "01.13Z": "Culture de légumes, de melons, de racines et de tubercules",
    "01.41Z": "Élevage de vaches laitières",
    "10.71C": "Boulangerie et boulangerie-pâtisserie",
    "16.23Z": "Fabrication de charpentes et d'autres menuiseries",
    "18.12Z": "Autre imprimerie (labeur)",
    "41.20A": "Construction de maisons individuelles",
    "43.21A": "Travaux d'installation électrique dans tous locaux",
    "43.39Z": "Autres travaux de finition",
    "45.20A": "Entretien et réparation de véhicules automobiles légers",
    "47.11F": "Hypermarchés",
    "47.24Z": "Commerce de détail de pain, pâtisserie et confiserie en magasin spécialisé",
    "47.61Z": "Commerce de détail de livres en magasin spécialisé",
    "47.73Z": "Commerce de détail de produits pharmaceutiques en magasin spécialisé",
    "49.32Z": "Transports de voyageurs par taxis",
    "49.41A": "Transports routiers de fret interurbains",
    "55.10Z": "Hôtels et hébergement similaire",
    "56.10A": "Restauration traditionnelle",
    "56.10C": "Restauration de type rapide",
    "62.01Z": "Programmation informatique",
    "62.02A": "Conseil en systèmes et logiciels informatiques",
    "68.20B": "Location de terrains et d'autres biens immobiliers",
    "69.20Z": "Activités comptables",
    "70.22Z": "Conseil pour les affaires et autres conseils de gestion",
    "71.11Z": "Activités d'architecture",
    "84.11Z": "Administration publique générale",
    "85.59A": "Formation continue d'adultes",
    "86.21Z": "Activité des médecins généralistes",
    "86.90D": "Activités des infirmiers et des sages-femmes",
    "88.99B": "Action sociale sans hébergement n.c.a.",
    "93.12Z": "Activités de clubs de sports",
    "94.99Z": "Autres organisations fonctionnant par adhésion volontaire",
}


def forme_juridique_libelle(code: str) -> str:
    return FORMES_JURIDIQUES.get(code or "", f"Catégorie juridique {code}" if code else "")


def naf_libelle(code: str) -> str:
    return NAF.get(code or "", "")
