"""The CERFA 12156 accounts the budget table shows (SPEC §5)."""

# CERFA 12156 charge accounts (SPEC §5), with the labels carriers know.
CHARGE_ACCOUNTS = (
    ("60", "60 – Achats"),
    ("61", "61 – Services extérieurs"),
    ("62", "62 – Autres services extérieurs"),
    ("63", "63 – Impôts et taxes"),
    ("64", "64 – Charges de personnel"),
    ("65", "65 – Autres charges de gestion courante"),
    ("66", "66 – Charges financières"),
    ("67", "67 – Charges exceptionnelles"),
    ("68", "68 – Dotations aux amortissements"),
    ("860", "860 – Secours en nature"),
    ("861", "861 – Mise à disposition gratuite de biens et services"),
    ("862", "862 – Prestations en nature"),
    ("864", "864 – Personnel bénévole"),
)
