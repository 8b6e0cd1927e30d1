"""The menu written in Python (clasportal.navigation.menu_html) against the template loop it
replaced in base.html: the same elements, classes, links and « page courante » marks, for every
role and on a page of the menu, a page of a sub-menu and a page outside it."""

import pytest
from django.template import engines
from django.test.html import parse_html
from django.urls import reverse

from clasportal.navigation import menu_for, menu_html

pytestmark = pytest.mark.django_db

TEMPLATE_LOOP = """
{% for item in nav_items %}
{% if item.children %}
<li class="nav-item dropdown">
  <button class="nav-link dropdown-toggle btn btn-link" type="button" data-bs-toggle="dropdown"
   aria-expanded="false">{{ item.label }}</button>
  <ul class="dropdown-menu">
    {% for child in item.children %}{% url child.url_name as child_url %}
    <li><a class="dropdown-item{% if path == child_url %} active{% endif %}" href="{{ child_url }}"
    {% if path == child_url %} aria-current="page"{% endif %}>{{ child.label }}</a></li>
    {% endfor %}
  </ul>
</li>
{% else %}
{% url item.url_name as item_url %}
<li class="nav-item">
  <a class="nav-link{% if path == item_url %} active{% endif %}" href="{{ item_url }}"
     {% if path == item_url %}aria-current="page"{% endif %}>{{ item.label }}</a>
</li>
{% endif %}
{% endfor %}
"""


def as_template(items, path):
    template = engines["django"].from_string(TEMPLATE_LOOP)
    return template.render({"nav_items": items, "path": path})


@pytest.mark.parametrize(
    "who", ["carrier_user", "advisor", "processor", "committee", "caf_admin", "national"]
)
@pytest.mark.parametrize(
    "page", ["home", "projects:list", "declarations:payments", "funding:policy", None]
)
def test_the_python_menu_is_the_template_menu(loire, national_admin, who, page):
    user = national_admin if who == "national" else getattr(loire, who)
    items = menu_for(user)
    path = reverse(page) if page else "/ailleurs/"
    written = menu_html(items, path)
    assert parse_html(written) == parse_html(as_template(items, path))
    # The current page is marked once when it is in the menu, never when it is not.
    in_menu = any(
        path == reverse(entry.url_name) for item in items for entry in (item.children or (item,))
    )
    assert written.count('aria-current="page"') == (1 if in_menu else 0)


def test_a_label_is_escaped(loire):
    from clasportal.navigation import NavItem

    written = menu_html([NavItem("<b>Outils</b> & co", "home")], "/")
    assert "&lt;b&gt;Outils&lt;/b&gt; &amp; co" in written
    assert "<b>" not in written


def test_the_page_shows_the_menu_with_the_current_entry(client, loire):
    client.force_login(loire.caf_admin)
    html = client.get(reverse("funding:policy")).content.decode()
    assert (
        f'<a class="dropdown-item active" href="{reverse("funding:policy")}" '
        'aria-current="page">Paramètres locaux</a>'
    ) in html
    assert 'href="/comite/instruction/"' in html
