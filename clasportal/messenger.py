"""Who is told, and what they read: every e-mail of the portal goes through `send`.

Texts live in `templates/emails/<name>.txt`, in a `subject` and a `body` block, rendered apart.
The subject is one line by construction (a CR/LF typed into a project title cannot break the
message headers). Recipients are computed here, from the object the e-mail is about:

- "carrier_members": the members of the object's carrier;
- "territory_advisors": the advisors of the project's territory (all the Caf's advisors when the
  territory has none);
- a permission name such as "declarations.process": the Caf staff who hold that permission on
  the object, i.e. the people who must act next.
"""

import re

from django.template import Context
from django.template.loader import get_template
from django.template.loader_tags import BlockNode

from .notifications import notify

_BLANKS = re.compile(r"\s+")
RECIPIENT_KINDS = ("carrier_members", "territory_advisors")


def render(template, context):
    """The subject and the body, each rendered from its own block, as plain text."""
    compiled = get_template(f"emails/{template}.txt").template
    blocks = {node.name: node for node in compiled.nodelist.get_nodes_by_type(BlockNode)}
    plain = Context(context, autoescape=False)
    subject = blocks["subject"].render(plain)
    body = blocks["body"].render(plain)
    return _BLANKS.sub(" ", subject).strip()[:255], body.strip("\n") + "\n"


def send(template, *, to, context, attachment=None):
    from . import rules

    subject, body = render(template, context)
    about = context.get("object")
    caf_id = rules.caf_id_of(about) if about is not None else None
    return notify(subject=subject, body=body, to=to, attachment=attachment, caf_id=caf_id)


def _project_of(obj):
    if hasattr(obj, "carrier_id") and hasattr(obj, "campaign_id"):
        return obj
    for path in ("project", "declaration"):
        value = getattr(obj, path, None)
        if value is not None:
            return _project_of(value)
    return None


def carrier_emails(obj):
    from . import rules
    from .models import User

    carrier_id = rules.carrier_id_of(obj)
    if carrier_id is None:
        return []
    return list(
        User.objects.filter(
            carrier_memberships__carrier_id=carrier_id,
            carrier_memberships__accepted_at__isnull=False,
            is_active=True,
        )
        .order_by("email")
        .values_list("email", flat=True)
    )


def staff_with_permission(obj, permission):
    from . import rules

    people = rules.staff_of(rules.caf_id_of(obj)).select_related("staff_profile")
    return [person.email for person in people if rules.can(person, permission, obj)]


def territory_advisor_emails(obj):
    from . import rules

    project = _project_of(obj)
    territory_id = project.carrier.commune.territory_id if project else None
    advisors = rules.advisors_of(rules.caf_id_of(obj), territory_id)
    return list(advisors.values_list("email", flat=True))


def recipients_for(obj, names):
    emails = []
    for name in names:
        if name == "carrier_members":
            emails += carrier_emails(obj)
        elif name == "territory_advisors":
            emails += territory_advisor_emails(obj)
        else:
            emails += staff_with_permission(obj, name)
    return sorted(set(emails))
