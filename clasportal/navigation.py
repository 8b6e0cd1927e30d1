"""The menu each role sees; one place, so a new page is added to the right people."""

from dataclasses import dataclass, field
from functools import lru_cache

from django.urls import get_script_prefix, reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe

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


@lru_cache(maxsize=512)
def _url(prefix, url_name):
    # `prefix` is in the key: a URL depends on where the portal is mounted (SCRIPT_NAME).
    return reverse(url_name)


def _link(css, item, path):
    url = _url(get_script_prefix(), item.url_name)
    here = path == url
    active = " active" if here else ""
    current = ' aria-current="page"' if here else ""
    return f'<a class="{css}{active}" href="{escape(url)}"{current}>{escape(item.label)}</a>'


def menu_html(items, path):
    """The menu's entries as base.html writes them, in Python: the menu is on every page, and
    twenty ``{% url %}`` and comparisons cost a page about as much as its own list (issue 21).
    tests/test_navigation_html.py compares it with the template loop it replaces."""
    parts = []
    for item in items:
        if item.children:
            children = "".join(
                f"<li>{_link('dropdown-item', child, path)}</li>" for child in item.children
            )
            parts.append(
                '<li class="nav-item dropdown"><button class="nav-link dropdown-toggle btn btn-link"'
                ' type="button" data-bs-toggle="dropdown" aria-expanded="false">'
                f'{escape(item.label)}</button><ul class="dropdown-menu">{children}</ul></li>'
            )
        else:
            parts.append(f'<li class="nav-item">{_link("nav-link", item, path)}</li>')
    return "".join(parts)


class Menu:
    """The menu of one request, written when (and only if) a template shows it."""

    def __init__(self, items, path):
        self.items, self.path = items, path

    def __bool__(self):
        return bool(self.items)

    def __str__(self):
        # The template engine writes str(value): a safe string, each label escaped in menu_html.
        return mark_safe(menu_html(self.items, self.path))  # noqa: S308

    __html__ = __str__
