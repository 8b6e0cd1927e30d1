"""The menu each role sees; one place, so a new page is added to the right people."""

from dataclasses import dataclass, field

from .models import STAFF_ROLES, Role


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str = ""
    children: tuple = field(default=())


def menu_for(user):
    role = user.role
    items = [NavItem("Tableau de bord", "home")]
    if role == Role.CARRIER:
        items += [
            NavItem("Mes projets", "projects:list"),
            NavItem("Nouvelle demande", "projects:create"),
            NavItem("Ma structure", "projects:carrier_list"),
            NavItem("Simulateur", "funding:simulator"),
        ]
    elif role in STAFF_ROLES:
        items += [
            NavItem("Instruction", "committee:queue"),
            NavItem("Comités", "committee:session_list"),
            NavItem("Déclarations", "declarations:queue"),
            NavItem("Chiffres", "committee:figures"),
        ]
        tools = [
            NavItem("Tous les projets", "projects:list"),
            NavItem("Porteurs", "projects:carrier_list"),
            NavItem("Paiements", "declarations:payments"),
            NavItem("Simulateur", "funding:simulator"),
            NavItem("Campagnes et pièces", "projects:campaign_list"),
            NavItem("Barème national", "funding:bareme_list"),
        ]
        if role == Role.CAF_ADMIN:
            tools.append(NavItem("Paramètres locaux", "funding:policy"))
            tools.append(NavItem("Journal des actions", "audit"))
            tools.append(NavItem("Équipe de la Caf", "team"))
        items.append(NavItem("Outils", children=tuple(tools)))
    elif role == Role.NATIONAL_ADMIN:
        items.append(NavItem("Barème national", "funding:bareme_list"))
    return items
