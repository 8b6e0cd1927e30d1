"""The menu each role sees; one place, so a new page is added to the right people."""

from dataclasses import dataclass

from .models import STAFF_ROLES, Role


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str


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
            NavItem("Chiffres", "committee:figures"),
            NavItem("Porteurs", "projects:carrier_list"),
            NavItem("Campagnes", "projects:campaign_list"),
            NavItem("Simulateur", "funding:simulator"),
        ]
        if role == Role.CAF_ADMIN:
            items.append(NavItem("Paramètres locaux", "funding:policy"))
    if role in (Role.NATIONAL_ADMIN, *STAFF_ROLES):
        items.append(NavItem("Barème national", "funding:bareme_list"))
    return items
