"""The menu each role sees; one place, so a new page is added to the right people."""

from dataclasses import dataclass, field

from . import rules


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str = ""
    children: tuple = field(default=())


def menu_for(user):
    items = [NavItem("Tableau de bord", "home")]
    if rules.is_carrier_user(user):
        items += [
            NavItem("Mes projets", "projects:list"),
            NavItem("Nouvelle demande", "projects:create"),
            NavItem("Ma structure", "projects:carrier_list"),
            NavItem("Ma convention", "projects:convention_list"),
            NavItem("Simulateur", "funding:simulator"),
            NavItem("Documents utiles", "declarations:resources"),
        ]
    elif rules.is_caf_staff(user):
        items += [
            NavItem("Instruction", "committee:queue"),
            NavItem("Comités", "committee:session_list"),
            NavItem("Déclarations", "declarations:queue"),
            NavItem("Chiffres", "declarations:figures"),
        ]
        tools = [
            NavItem("Tous les projets", "projects:list"),
            NavItem("Porteurs", "projects:carrier_list"),
            NavItem("Paiements", "declarations:payments"),
            NavItem("Contrôles et visites", "declarations:control_list"),
            NavItem("Simulateur", "funding:simulator"),
            NavItem("Campagnes et pièces", "projects:campaign_list"),
            NavItem("Documents utiles", "declarations:resources"),
            NavItem("Conventions", "projects:convention_list"),
            NavItem("Barème national", "funding:bareme_list"),
        ]
        if rules.is_caf_admin(user):
            tools.append(NavItem("Paramètres locaux", "funding:policy"))
            tools.append(NavItem("Règles des conventions", "projects:convention_policy"))
            tools.append(NavItem("Grille de contrôle", "declarations:control_checklist"))
            tools.append(NavItem("Cofinanceurs et enveloppes", "committee:scheme_list"))
            tools.append(NavItem("Journal des actions", "audit"))
            tools.append(NavItem("Équipe de la Caf", "team"))
            tools.append(NavItem("Partenaires du comité", "committee:partner_list"))
            tools.append(NavItem("Territoires", "territory_list"))
            tools.append(NavItem("Communes", "commune_list"))
        items.append(NavItem("Outils", children=tuple(tools)))
    elif rules.is_national_admin(user):
        items.append(NavItem("Les Caf", "setup_caf_list"))
        items.append(NavItem("Chiffres nationaux", "declarations:national_figures"))
        items.append(NavItem("Barème national", "funding:bareme_list"))
        items.append(NavItem("Simulateur", "funding:simulator"))
        items.append(NavItem("Support (données)", "support:index"))
    return items
