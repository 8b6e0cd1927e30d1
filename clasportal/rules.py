"""The portal's one permissions module (django-rules): predicates and the permissions built on them.

Lists and detail pages start from scoped querysets (`visible_to`), so another carrier's or another
Caf's object is a 404; these rules decide who may *act* on what they can see.
"""

import rules

from .models import STAFF_ROLES, Caf, Role


def _role_is(*roles):
    @rules.predicate
    def predicate(user):
        return bool(user and user.is_authenticated and user.role in roles)

    predicate.name = "role_in_" + "_".join(str(r) for r in roles)
    return predicate


is_carrier_user = _role_is(Role.CARRIER)
is_caf_staff = _role_is(*STAFF_ROLES)
is_advisor = _role_is(Role.ADVISOR)
is_processor = _role_is(Role.PROCESSOR)
is_committee = _role_is(Role.COMMITTEE)
is_caf_admin = _role_is(Role.CAF_ADMIN)
is_national_admin = _role_is(Role.NATIONAL_ADMIN)


@rules.predicate
def is_member_of_carrier(user, carrier):
    if carrier is None or not user.is_authenticated:
        return False
    return carrier.memberships.filter(user=user).exists()


def _caf_id_of(obj):
    return obj.pk if isinstance(obj, Caf) else getattr(obj, "caf_id", None)


@rules.predicate
def is_staff_of_same_caf(user, obj):
    profile = user.staff_profile_or_none if user.is_authenticated else None
    return bool(profile and obj is not None and _caf_id_of(obj) == profile.caf_id)


@rules.predicate
def is_project_member(user, project):
    return project is not None and is_member_of_carrier(user, project.carrier)


@rules.predicate
def is_project_caf_staff(user, project):
    profile = user.staff_profile_or_none if user.is_authenticated else None
    return bool(profile and project is not None and project.campaign.caf_id == profile.caf_id)


rules.add_perm("projects.view_project", is_project_member | is_project_caf_staff)
rules.add_perm("projects.view_carrier", is_member_of_carrier | is_staff_of_same_caf)
rules.add_perm("projects.invite_member", is_member_of_carrier)
rules.add_perm("projects.edit_request", is_carrier_user & is_project_member)
rules.add_perm("projects.create_project", is_carrier_user)
rules.add_perm("projects.post_message", is_project_member | is_project_caf_staff)
rules.add_perm("projects.manage_campaign", is_caf_admin & is_staff_of_same_caf)
rules.add_perm("funding.use_simulator", is_carrier_user | is_caf_staff)
rules.add_perm("funding.view_bareme", is_national_admin | is_caf_staff)
rules.add_perm("funding.change_bareme", is_national_admin)
rules.add_perm("funding.change_cafpolicy", is_caf_admin & is_staff_of_same_caf)

rules.add_perm("committee.review", is_advisor & is_project_caf_staff)
rules.add_perm("committee.add_note", is_project_caf_staff)
rules.add_perm("committee.record_other_financer", is_project_caf_staff)
rules.add_perm("committee.manage_session", is_caf_admin & is_staff_of_same_caf)
rules.add_perm("committee.decide", is_committee & is_staff_of_same_caf)
rules.add_perm("committee.view_session", is_caf_staff & is_staff_of_same_caf)
rules.add_perm("committee.view_figures", is_caf_staff)
