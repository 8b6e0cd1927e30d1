"""The demo world: two Caf, their people, carriers, and the texts of their projects."""

from clasportal.models import Role
from projects.models import CarrierKind, ProjectStatus, SchoolLevel

DEMO_PASSWORD = "demo-clas-2026"
DEMO_DOMAIN = "@demo.clas.fr"

CAFS = {
    "42": {
        "number": "042",
        "name": "Loire",
        "territories": {
            "Saint-Étienne Métropole": [
                ("42218", "Saint-Étienne", "42000", False),
                ("42095", "Firminy", "42700", False),
                ("42186", "Rive-de-Gier", "42800", False),
            ],
            "Loire Forez Agglomération": [
                ("42147", "Montbrison", "42600", False),
                ("42279", "Saint-Just-Saint-Rambert", "42170", False),
                ("42226", "Saint-Georges-en-Couzan", "42990", True),
            ],
            "Roannais Agglomération": [
                ("42187", "Roanne", "42300", False),
                ("42220", "Saint-Haon-le-Châtel", "42370", True),
            ],
        },
    },
    "88": {
        "number": "088",
        "name": "Vosges",
        "territories": {
            "Communauté d'agglomération d'Épinal": [
                ("88160", "Épinal", "88000", False),
                ("88465", "Thaon-les-Vosges", "88150", False),
            ],
            "Communauté d'agglomération de Saint-Dié-des-Vosges": [
                ("88413", "Saint-Dié-des-Vosges", "88100", False),
                ("88383", "Remiremont", "88200", False),
                ("88196", "Gérardmer", "88400", True),
            ],
        },
    },
}

# (email, first, last, dept, role, territory names)
STAFF = [
    (
        "ccd@demo.clas.fr",
        "Claire",
        "Dumont",
        "42",
        Role.ADVISOR,
        ["Saint-Étienne Métropole", "Loire Forez Agglomération"],
    ),
    ("gc@demo.clas.fr", "Gaëlle", "Chassagne", "42", Role.PROCESSOR, []),
    # Separation of duties: who validated a declaration does not pay it; a second GC does.
    ("gc-paiements@demo.clas.fr", "Paul", "Brunel", "42", Role.PROCESSOR, []),
    ("comite@demo.clas.fr", "Marc", "Peyron", "42", Role.COMMITTEE, []),
    ("admin@demo.clas.fr", "Anne", "Berthet", "42", Role.CAF_ADMIN, []),
    (
        "ccd-vosges@demo.clas.fr",
        "Luc",
        "Grandjean",
        "88",
        Role.ADVISOR,
        [
            "Communauté d'agglomération d'Épinal",
            "Communauté d'agglomération de Saint-Dié-des-Vosges",
        ],
    ),
    # The Vosges' own staff, so that both demo Caf can be walked end to end.
    ("admin-vosges@demo.clas.fr", "Sylvie", "Thiriet", "88", Role.CAF_ADMIN, []),
    ("comite-vosges@demo.clas.fr", "Bernard", "Valentin", "88", Role.COMMITTEE, []),
    ("gc-vosges@demo.clas.fr", "Julie", "Perrin", "88", Role.PROCESSOR, []),
]

# (legal name, kind, commune INSEE, member e-mail or None, legal representative)
CARRIERS = [
    (
        "Association Réussir Ensemble",
        CarrierKind.ASSOCIATION,
        "42218",
        "porteur@demo.clas.fr",
        "Nadia Benali",
    ),
    (
        "Commune de Firminy",
        CarrierKind.COLLECTIVITE,
        "42095",
        "porteur2@demo.clas.fr",
        "Le maire de Firminy",
    ),
    ("Centre social Les Tilleuls", CarrierKind.ASSOCIATION, "42187", None, "Paul Vial"),
    ("CCAS de Montbrison", CarrierKind.ETABLISSEMENT_PUBLIC, "42147", None, "La présidente"),
    ("Mutuelle Familles du Forez", CarrierKind.MUTUELLE, "42279", None, "Henri Faure"),
    (
        "Association Vosges Savoirs",
        CarrierKind.ASSOCIATION,
        "88160",
        "porteur-vosges@demo.clas.fr",
        "Sophie Marchal",
    ),
    ("Commune de Remiremont", CarrierKind.COLLECTIVITE, "88383", None, "Le maire de Remiremont"),
    (
        "Foyer rural de Gérardmer",
        CarrierKind.ETABLISSEMENT_PRIVE_SOCIAL,
        "88196",
        None,
        "Jean Claudel",
    ),
]

CARRIER_USERS = {
    "porteur@demo.clas.fr": ("Nadia", "Benali"),
    "porteur2@demo.clas.fr": ("Thomas", "Royer"),
    "porteur-vosges@demo.clas.fr": ("Sophie", "Marchal"),
}

PROJECT_TITLES = [
    ("Coup de pouce élémentaire", SchoolLevel.ELEMENTAIRE),
    ("Passerelle collège", SchoolLevel.COLLEGE),
    ("Lycéens en réussite", SchoolLevel.LYCEE),
    ("Ateliers parents-enfants", SchoolLevel.ELEMENTAIRE),
]

STATUS_CYCLE = [
    ProjectStatus.DRAFT,
    ProjectStatus.SUBMITTED,
    ProjectStatus.UNDER_REVIEW,
    ProjectStatus.CHANGES_REQUESTED,
    ProjectStatus.PROPOSED,
    ProjectStatus.APPROVED,
    ProjectStatus.REFUSED,
    ProjectStatus.ADJOURNED,
]


DOCUMENTS = [
    # name, situations (empty: all), required
    ("RIB de la structure", [], True),
    ("Attestation d'assurance responsabilité civile", [], True),
    ("Statuts (associations)", [3], True),
    ("Bilan Clas de l'année précédente", [1], True),
    ("Contrat d'engagement républicain (associations)", [3], False),
]

PROJECT_TEXT = {
    "axis_children": "Aide méthodologique aux devoirs en petits groupes, ateliers lecture avec la "
    "médiathèque, jeux coopératifs, tutorat entre enfants, cahier de présence et fiche de suivi.",
    "axis_parents": "Réunion d'information à l'inscription, goûters parents-enfants chaque "
    "trimestre, atelier « comprendre l'ENT et Pronote », orientation vers le REAAP.",
    "axis_school": "Rencontre avec les directeurs et enseignants avant le démarrage, point "
    "mensuel avec le CPE, réunion de bilan en juin.",
    "axis_territory": "Partenariat avec le PRE, la médiathèque et le centre social ; inscrit "
    "au PEdT de la commune.",
    "objectives": "Redonner confiance aux enfants dans leurs capacités et associer les parents "
    "au suivi de la scolarité.",
    "partner_schools": "École Jules-Ferry, collège Jean-Macé",
    "partner_schemes": "PEdT, PRE, REAAP",
    "premises": "Salle d'activités au rez-de-chaussée, accessible aux parents et aux poussettes.",
    "coordinator_name": "Karim Aït-Saïd",
    "coordinator_qualification": "DUT carrières sociales, 6 ans d'animation",
}
