"""The portal's one authorization layer: who may see what, and who may do what.

Two questions, both answered here and nowhere else:

- **What a person sees**: `visible_q(user, scope)` turns a model's declared `Scope` (the path from
  the model to its Caf and to its carrier) into the filter every list and detail page starts from
  (`Model.objects.visible_to(user)`, see `clasportal.scoping`). Another carrier's or another Caf's
  object is then a 404, not a 403 that leaks its existence.
- **What a person may do** on what they see: one django-rules permission per action, named
  `app.action`, used by views (`has_perm`), templates (`{% has_perm %}`/context flags), services
  and the declared transitions (`clasportal.transitions`).

Roles are read once per request (`User.role` is cached on the user object).
"""

from dataclasses import dataclass

import rules
from django.conf import settings
from django.db.models import BigIntegerField, Exists, OuterRef, Q, Value

from .roles import STAFF_ROLES, Role

# --- Roles -------------------------------------------------------------------------------------


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
is_partner = _role_is(Role.PARTNER)


def committee_candidates(user):
    """The people of `user`'s Caf who may sit on its committee: its committee members and the
    partner accounts of its active partner organisations (issue 18)."""
    from django.contrib.auth import get_user_model

    caf_id = staff_caf_id(user)
    return get_user_model().objects.filter(
        Q(staff_profile__caf_id=caf_id, staff_profile__role=Role.COMMITTEE)
        | Q(
            partner_profile__organisation__caf_id=caf_id,
            partner_profile__organisation__is_active=True,
        ),
        is_active=True,
    )


def staff_of(caf_id):
    """The active staff of a Caf (to find who holds a permission on one of its objects)."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(staff_profile__caf_id=caf_id, is_active=True)


def administrators_of(caf_id):
    """The active administrators of a Caf (`caf_id` may be an `OuterRef`), for its set-up."""
    return staff_of(caf_id).filter(staff_profile__role=Role.CAF_ADMIN)


def advisors_of(caf_id, territory_id):
    """The advisors of a territory, or all the Caf's advisors when the territory has none."""
    advisors = staff_of(caf_id).filter(staff_profile__role=Role.ADVISOR)
    mine = advisors.filter(staff_profile__territories=territory_id)
    return mine if territory_id and mine.exists() else advisors


def role_label(user):
    """The French name of the person's role, for the page header."""
    role = user.role if user.is_authenticated else None
    return role.label if role else ""


# --- Second factor -----------------------------------------------------------------------------


@rules.predicate
def _staff_second_factor_required(user):
    """The person's Caf turned it on for all its staff, or the Caf administrator for this one."""
    profile = user.staff_profile_or_none
    return bool(profile and (profile.requires_second_factor or profile.caf.requires_second_factor))


@rules.predicate
def _national_second_factor_required(user):
    return bool(settings.CLAS_OTP_REQUIRED_FOR_NATIONAL_ADMIN)


may_use_second_factor = is_caf_staff | is_national_admin
second_factor_required = (is_caf_staff & _staff_second_factor_required) | (
    is_national_admin & _national_second_factor_required
)


# --- Visibility --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Where a model hangs: the path to its Caf and, when carriers may see it, to its carrier.

    `carrier="caf"` means Caf-wide reference data (campaigns, documents, communes) that a carrier
    reads for the Caf of its carriers; `carrier=None` means carriers never see the model.
    """

    caf: str
    carrier: str | None = None
    # Personal rows (a person's notices): whoever the role, one sees only one's own.
    owner: str | None = None
    # Partner accounts (issue 18) see the rows hanging on the committee sessions they sit on:
    # `session` is the path to the session ("pk" for the session itself; None: never seen by a
    # partner), `deposited` the path to the project's status (drafts and requests reopened to
    # the carrier are not shown), `shared` a flag the row must carry (a note shared with them).
    session: str | None = None
    deposited: str | None = None
    shared: str | None = None


# A request partners never read: not deposited yet, or given back to its carrier for changes.
NOT_DEPOSITED = ("draft", "changes_requested")


def accepted_memberships(user):
    """A carrier's member is who accepted its invitation; a pending one gives nothing."""
    return user.carrier_memberships.filter(accepted_at__isnull=False)


def staff_caf_id(user):
    profile = user.staff_profile_or_none if user.is_authenticated else None
    return profile.caf_id if profile else None


def partner_caf_id(user):
    """The Caf of a partner account's organisation; None when it has none or it is inactive."""
    account = user.partner_profile_or_none if user.is_authenticated else None
    if account is None or not account.organisation.is_active:
        return None
    return account.organisation.caf_id


def partner_sessions(user):
    """The committee sessions of their Caf a partner account sits on (a subquery of pks)."""
    from django.apps import apps

    sessions = apps.get_model("committee", "CommitteeSession")._base_manager
    return sessions.filter(members=user, caf_id=partner_caf_id(user)).values("pk")


def _partner_q(user, scope, model):
    caf_id = partner_caf_id(user)
    if caf_id is None or scope.session is None:
        return None
    condition = Q(**{f"{scope.caf}_id": caf_id}) & Q(
        **{f"{scope.session}__in": partner_sessions(user)}
    )
    if scope.deposited:
        condition &= ~Q(**{f"{scope.deposited}__in": NOT_DEPOSITED})
    if scope.shared:
        condition &= Q(**{scope.shared: True})
    if model is None or scope.session == "pk":
        return condition
    # The path to the sessions may cross a one-to-many relation (a project on two sessions):
    # filter by primary key so that each row comes once.
    return Q(pk__in=model._base_manager.filter(condition).values("pk"))


def visible_q(user, scope: Scope, model=None) -> Q | None:
    """The filter that says which rows of a scoped model `user` may see; None means none."""
    if not (user and user.is_authenticated):
        return None
    if scope.owner:
        return Q(**{scope.owner: user})
    role = user.role
    if role in STAFF_ROLES:
        return Q(**{f"{scope.caf}_id": staff_caf_id(user)})
    if role == Role.PARTNER:
        return _partner_q(user, scope, model)
    if role == Role.CARRIER and scope.carrier is not None:
        if scope.carrier == "caf":
            caf_ids = accepted_memberships(user).values("carrier__caf_id")
            return Q(**{f"{scope.caf}_id__in": caf_ids})
        # The ids themselves, read once per request (User.member_carrier_ids), not a subquery:
        # PostgreSQL plans a join on a literal list several times faster than on a semi-join,
        # and planning was most of the database's time on a carrier's pages (issue 21).
        return Q(**{f"{scope.carrier}__in": sorted(user.member_carrier_ids)})
    return None


# --- Object predicates -------------------------------------------------------------------------


def caf_id_of(obj):
    if obj is None:
        return None
    if obj._meta.label == "clasportal.Caf":
        return obj.pk
    for path in ("caf_id", "campaign", "project", "session", "declaration", "organisation"):
        value = getattr(obj, path, None)
        if value is None:
            continue
        if path == "caf_id":
            return value
        return caf_id_of(value)
    return None


def carrier_id_of(obj):
    if obj is None:
        return None
    if hasattr(obj, "memberships"):  # a carrier
        return obj.pk
    if getattr(obj, "carrier_id", None):
        return obj.carrier_id
    for path in ("project", "declaration"):
        value = getattr(obj, path, None)
        if value is not None:
            return carrier_id_of(value)
    return None


@rules.predicate
def is_staff_of_same_caf(user, obj):
    caf_id = staff_caf_id(user)
    return bool(caf_id and obj is not None and caf_id_of(obj) == caf_id)


@rules.predicate
def is_member_of_carrier(user, obj):
    carrier_id = carrier_id_of(obj)
    if carrier_id is None or not user.is_authenticated:
        return False
    return carrier_id in user.member_carrier_ids


@rules.predicate
def is_partner_of_same_caf(user, obj):
    caf_id = partner_caf_id(user)
    return bool(caf_id and obj is not None and caf_id_of(obj) == caf_id)


@rules.predicate
def is_session_member(user, session):
    if session is None:
        return False
    # A page asks several permissions of the same session: read whether the person sits on it
    # with the session itself (`with_sitting`), or once, and keep the answer on the instance.
    if getattr(session, "sitting_user_id", None) == user.pk:
        return session.user_sits
    known = session.__dict__.setdefault("_sitting", {})
    if user.pk not in known:
        known[user.pk] = session.members.filter(pk=user.pk).exists()
    return known[user.pk]


def with_sitting(sessions, user):
    """Committee sessions read with whether `user` sits on them (no query per permission)."""
    through = sessions.model.members.through
    return sessions.annotate(
        sitting_user_id=Value(user.pk, output_field=BigIntegerField()),
        user_sits=Exists(
            through.objects.filter(committeesession_id=OuterRef("pk"), user_id=user.pk)
        ),
    )


# Who proposed, decided or validated a project's money does not also move its payments.
DECIDING_ACTIONS = ("propose", "approve", "revise_decision", "validate_forecast", "validate_actual")


@rules.predicate
def took_no_part_in_its_decisions(user, payment):
    """Separation of duties (ordonnateur / payeur), read from the project's audit trail."""
    if payment is None or not hasattr(payment, "project_id"):
        return True
    return not payment.project.events.filter(actor=user, action__in=DECIDING_ACTIONS).exists()


@rules.predicate
def project_still_approved(user, payment):
    """Issue 17: no payment moves forward on a project that is no longer approved (revised,
    suspended or withdrawn); an amount the carrier owes may still be recovered. The database
    holds the same line (Payment constraint `payment_moves_only_when_approved`)."""
    if payment is None or not hasattr(payment, "project_approved"):
        return True
    if payment.status == "to_recover":
        return True
    return payment.project_approved and payment.project.status == "approved"


@rules.predicate
def is_invited(user, membership):
    """The person an invitation is addressed to, while it waits for an answer."""
    return bool(membership and membership.user_id == user.pk and membership.accepted_at is None)


member = is_carrier_user & is_member_of_carrier
same_caf_staff = is_caf_staff & is_staff_of_same_caf

# --- Permissions, one per action ---------------------------------------------------------------

PERMISSIONS = {
    # Carriers, projects, requests
    "projects.view_project": is_member_of_carrier | same_caf_staff,
    "projects.view_carrier": is_member_of_carrier | same_caf_staff,
    "projects.list_carriers": is_carrier_user | is_caf_staff,
    # Partner accounts read projects through their sessions' agenda, not the working list.
    "projects.list_projects": ~is_partner,
    "projects.invite_member": member,
    "projects.answer_invitation": is_invited,
    "projects.request_identity_change": member,
    "projects.decide_identity_change": (is_advisor | is_caf_admin) & is_staff_of_same_caf,
    "projects.create_project": is_carrier_user,
    "projects.edit_request": member,
    "projects.submit": member,
    "projects.post_message": member | same_caf_staff,
    "projects.manage_campaign": is_caf_admin & is_staff_of_same_caf,
    "projects.view_campaigns": is_caf_staff,
    # The Caf's carriers from its screens: advisors and the administrator create, edit and
    # invite; only the administrator deactivates or merges two records of one structure.
    "projects.create_carrier": is_caf_admin | is_advisor,
    "projects.edit_carrier": (is_caf_admin | is_advisor) & is_staff_of_same_caf,
    "projects.deactivate_carrier": is_caf_admin & is_staff_of_same_caf,
    "projects.merge_carriers": is_caf_admin & is_staff_of_same_caf,
    # Structures not known yet ask for an account; the Caf of their department answers.
    "projects.review_signups": is_caf_admin | is_advisor,
    "projects.decide_signup": (is_caf_admin | is_advisor) & is_staff_of_same_caf,
    # Conventions (issue 15): the carrier and its Caf read them; the Caf amends and records the
    # signature; the advisor decides a continuing year's adjustment; the carrier enters its year.
    "projects.view_conventions": is_carrier_user | is_caf_staff,
    "projects.export_conventions": is_caf_staff,
    "projects.view_convention": is_member_of_carrier | same_caf_staff,
    "projects.amend_convention": (is_caf_admin | is_advisor) & is_staff_of_same_caf,
    "projects.sign_convention": (is_caf_admin | is_advisor) & is_staff_of_same_caf,
    "projects.enter_convention_year": member,
    "projects.decide_adjustment": (is_advisor | is_caf_admin) & is_staff_of_same_caf,
    "projects.change_convention_policy": is_caf_admin & is_staff_of_same_caf,
    # Review (advisors) and committee
    "committee.view_queue": is_caf_staff,
    "committee.review": is_advisor & is_staff_of_same_caf,
    "committee.decide_bonus": is_advisor & is_staff_of_same_caf,
    # A carrier in a running convention asks for a bonus during the year (Loire form).
    "committee.request_bonus": member,
    "committee.add_note": same_caf_staff,
    "committee.record_other_financer": same_caf_staff,
    "committee.view_session": same_caf_staff,
    "committee.manage_session": is_caf_admin & is_staff_of_same_caf,
    "committee.decide": is_committee & is_staff_of_same_caf & is_session_member,
    "committee.decide_project": is_committee & is_staff_of_same_caf,
    # Vosges note: the departmental committee « retire les agréments en cours si des
    # manquements sont constatés »; its members record the suspension, lifting or withdrawal.
    "committee.withdraw_agreement": is_committee & is_staff_of_same_caf,
    "committee.close_session": (is_caf_admin & is_staff_of_same_caf)
    | (is_committee & is_staff_of_same_caf & is_session_member),
    "committee.export_session": same_caf_staff,
    # Co-financers (issue 18): each financer's decision is recorded by the session's members
    # (partner accounts may be added to this predicate); the Caf administrator keeps the
    # partners' schemes and every financer's envelope per campaign.
    "committee.record_financer_decision": is_committee & is_staff_of_same_caf & is_session_member,
    "committee.manage_schemes": is_caf_admin & is_staff_of_same_caf,
    "committee.set_envelope": is_caf_admin & is_staff_of_same_caf,
    # Partner organisations and their people's accounts (issue 18): the Caf administrator, on
    # the objects `visible_to` gives; a partner account reads the agenda of the sessions it sits
    # on (their deposited files, never an attachment, a draft or an unshared note).
    "committee.manage_partners": is_caf_admin,
    "committee.read_agenda": is_partner & is_partner_of_same_caf & is_session_member,
    # Members are named per session by the administrator (`manage_session`); the attendance is
    # recorded by the administrator or a committee member sitting on it.
    "committee.record_attendance": (is_caf_admin & is_staff_of_same_caf)
    | (is_committee & is_staff_of_same_caf & is_session_member),
    "committee.view_figures": is_caf_staff,
    # Declarations and payments
    "declarations.edit": member,
    "declarations.view_queue": is_caf_staff,
    "declarations.process": is_processor & is_staff_of_same_caf,
    "declarations.view_payments": is_caf_staff,
    "declarations.view_bilans": is_caf_staff,
    "declarations.manage_bilan": is_caf_admin & is_staff_of_same_caf,
    "declarations.fill_bilan": member,
    "declarations.view_national_figures": is_national_admin,
    "declarations.export_lists": is_caf_staff,
    "declarations.view_resources": is_carrier_user | is_caf_staff,
    "declarations.manage_resources": is_caf_admin,
    "declarations.advance_payment": is_processor
    & is_staff_of_same_caf
    & took_no_part_in_its_decisions
    & project_still_approved,
    # What a revised decision or a changed agrément does to declarations and payments is done
    # by the committee member who decided it (declarations.agreement_cascade).
    "declarations.follow_agreement": is_committee & is_staff_of_same_caf,
    # The GC settles an amount to recover: recovered on a payment, paid back, or cancelled.
    "declarations.settle_recovery": is_processor & is_staff_of_same_caf,
    # Controls and visits (issue 17): the Caf's advisors, GC and administrator record them;
    # its staff read them, the carrier reads its own (results and follow-up, never the internal
    # note); the administrator keeps the Caf's checklist.
    "declarations.view_controls": is_caf_staff,
    "declarations.view_control": is_member_of_carrier | same_caf_staff,
    "declarations.record_control": (is_advisor | is_processor | is_caf_admin)
    & is_staff_of_same_caf,
    "declarations.manage_control_checklist": is_caf_admin,
    # Funding
    "funding.use_simulator": is_carrier_user | is_caf_staff | is_national_admin,
    "funding.choose_simulation_policy": is_caf_staff | is_national_admin,
    "funding.view_bareme": is_national_admin | is_caf_staff,
    "funding.change_bareme": is_national_admin,
    "funding.change_cafpolicy": is_caf_admin & is_staff_of_same_caf,
    # The Caf's own administration
    "clasportal.manage_team": is_caf_admin,
    "clasportal.view_audit": is_caf_admin,
    "clasportal.require_second_factor": is_caf_admin,
    "clasportal.reset_second_factor": is_caf_admin & is_staff_of_same_caf,
    # Staff and the national admin enrol an authenticator app; carriers log in with a password.
    "clasportal.use_second_factor": may_use_second_factor,
    # Everyone's own notices (reminders) and how they arrive.
    "clasportal.view_notices": rules.is_authenticated,
    # The Caf's referential (territories and their advisors, communes and their flags): its
    # administrator, on the objects `visible_to` gives (those of the administrator's Caf).
    "referential.manage": is_caf_admin,
    # The national administrator sets up each Caf (identity, logo, first administrator) and
    # reads every Caf's set-up status; support staff read the Django admin (read-mostly).
    "setup.manage_cafs": is_national_admin,
    "support.use_admin": is_national_admin,
}

for _name, _predicate in PERMISSIONS.items():
    rules.add_perm(_name, _predicate)


def can(user, permission, obj=None):
    """The same question as `user.has_perm`, for services that receive a user."""
    return rules.has_perm(permission, user, obj)
