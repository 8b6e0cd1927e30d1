"""Who is told, and what they read: every e-mail of the portal goes through `send`.

Texts live in `templates/emails/<name>.txt`: the first line is the subject, the rest the body.
The subject is one line by construction (a CR/LF typed into a project title cannot break the
message headers). Recipients are computed here, from the object the e-mail is about:

- "carrier": the members of the object's carrier;
- "territory_advisors": the advisors of the project's territory (all the Caf's advisors when the
  territory has none);
- a permission name such as "declarations.process": the Caf staff who hold that permission on
  the object, i.e. the people who must act next.
"""

import re

from django.template.loader import render_to_string

from .notifications import notify

_BLANKS = re.compile(r"\s+")


def render(template, context):
    text = render_to_string(f"emails/{template}.txt", context).lstrip("\n")
    subject, _, body = text.partition("\n")
    return _BLANKS.sub(" ", subject).strip()[:255], body.lstrip("\n")


def send(template, *, to, context, attachment=None):
    subject, body = render(template, context)
    return notify(subject=subject, body=body, to=to, attachment=attachment)


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
        User.objects.filter(carrier_memberships__carrier_id=carrier_id, is_active=True)
        .order_by("email")
        .values_list("email", flat=True)
    )


def staff_with_permission(obj, permission):
    from . import rules
    from .models import User

    caf_id = rules.caf_id_of(obj)
    people = User.objects.filter(staff_profile__caf_id=caf_id, is_active=True).select_related(
        "staff_profile"
    )
    return [person.email for person in people if rules.can(person, permission, obj)]


def territory_advisor_emails(obj):
    from . import rules
    from .models import User
    from .roles import Role

    project = _project_of(obj)
    advisors = User.objects.filter(
        staff_profile__caf_id=rules.caf_id_of(obj),
        staff_profile__role=Role.ADVISOR,
        is_active=True,
    )
    territory_id = project.carrier.commune.territory_id if project else None
    mine = advisors.filter(staff_profile__territories=territory_id)
    return list((mine if mine.exists() else advisors).values_list("email", flat=True))


def recipients_for(obj, names):
    emails = []
    for name in names:
        if name == "carrier":
            emails += carrier_emails(obj)
        elif name == "territory_advisors":
            emails += territory_advisor_emails(obj)
        else:
            emails += staff_with_permission(obj, name)
    return sorted(set(emails))
