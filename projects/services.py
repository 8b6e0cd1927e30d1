"""Carrier-side services: inviting a colleague."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from clasportal import messenger
from clasportal.accounts import normalize_username, send_password_link

from .models import IDENTITY_FIELDS, CarrierIdentityChange, CarrierMembership

INVITATION_SUBJECT = "Invitation au portail Clas"


@transaction.atomic
def invite_member(*, carrier, email, first_name="", last_name="", by, base_url, intro=None):
    User = get_user_model()
    email = normalize_username(email)
    user = User.objects.filter(email__iexact=email).first()
    if user is not None and (user.staff_profile_or_none is not None or user.is_national_admin):
        # Caf and Cnaf accounts never join a carrier; the inviter is told nothing more than for
        # any address, so the form does not reveal who works for a Caf.
        return None
    created = user is None
    if created:
        user = User.objects.create_user(email=email, first_name=first_name, last_name=last_name)
        user.set_unusable_password()
        user.save(update_fields=["password"])
    if CarrierMembership.objects.filter(carrier=carrier, user=user).exists():
        raise ValidationError("Cette personne est déjà membre de votre structure.", code="member")
    # A new account exists only through this invitation; an existing one must accept it.
    membership = CarrierMembership.objects.create(
        carrier=carrier, user=user, invited_by=by, accepted_at=timezone.now() if created else None
    )
    if created:
        # Through the outbox, which takes the link out of the stored body once sent.
        send_password_link(
            user,
            subject=INVITATION_SUBJECT,
            intro=intro or f"{by} vous invite à rejoindre {carrier} sur le portail Clas.",
            base_url=base_url,
        )
    else:
        messenger.send(
            "membership_invitation", to=[user.email], context={"object": membership, "by": by}
        )
    return user


def answer_invitation(membership, *, accept):
    """The invited person accepts (becomes a member) or declines (the invitation is removed)."""
    if accept:
        membership.accepted_at = timezone.now()
        membership._change_reason = "Invitation acceptée"
        membership.save(update_fields=["accepted_at"])
    else:
        membership.delete()
    return membership


def resend_invitation(*, membership, by, base_url):
    """A new link for a member who never chose a password (the first one expired or was lost)."""
    user = membership.user
    if not user.is_active:
        raise ValidationError("Ce compte est désactivé : contactez votre Caf.", code="inactive")
    if user.has_usable_password():
        raise ValidationError(
            "Cette personne a déjà choisi son mot de passe ; en cas d'oubli, elle utilise "
            "« Mot de passe oublié ? » sur la page de connexion.",
            code="active",
        )
    send_password_link(
        user,
        subject=INVITATION_SUBJECT,
        intro=f"{by} vous renvoie l'invitation à rejoindre {membership.carrier} sur le portail Clas.",
        base_url=base_url,
    )


COPIED_FIELDS = (
    "school_level",
    "axis_children",
    "axis_parents",
    "axis_school",
    "axis_territory",
    "objectives",
    "partner_schools",
    "partner_schemes",
    "is_qpv",
    "public_levels",
    "premises",
    "coordinator_name",
    "coordinator_qualification",
    "coordinator_has_bac2",
    "bonus_children_requested",
    "bonus_children_collectives",
    "bonus_children_project",
    "bonus_children_equipment_cost",
    "bonus_children_speakers_cost",
    "bonus_children_outings_cost",
    "bonus_parents_requested",
    "bonus_parents_collectives",
    "bonus_parents_project",
    "bonus_parents_speakers_cost",
    "bonus_parents_specific_actions",
)


def _shift_year(day, years):
    if day is None:
        return None
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@transaction.atomic
def create_draft(*, carrier, campaign, situation, title, previous=None, by):
    """A new draft; from last year's project, a copy of everything but decisions and files."""
    from .campaigns import CampaignError, renewal_refusal
    from .models import BudgetLine, Intervenant, Project, ProjectEvent
    from .rural import effective_rural

    refusal = renewal_refusal(carrier, campaign, situation)
    if refusal:
        raise CampaignError(refusal)
    project = Project.objects.create(
        carrier=carrier,
        campaign=campaign,
        situation=situation,
        title=title,
        previous=previous,
        created_by=by,
        convention_years=1,
    )
    if previous is not None:
        for field in COPIED_FIELDS:
            setattr(project, field, getattr(previous, field))
        project.save()
        years = campaign.year - previous.campaign.year
        for collective in previous.collectives.prefetch_related("intervenants"):
            intervenants = list(collective.intervenants.all())
            collective.pk = None
            collective.project = project
            collective.start_date = _shift_year(collective.start_date, years)
            collective.end_date = _shift_year(collective.end_date, years)
            # Last year's rural classing by the advisor was for last year's review: the new
            # request starts from the commune's flag as it is today.
            collective.rural_override, collective.rural_override_reason = None, ""
            collective.is_rural = effective_rural(collective)
            collective.save()
            Intervenant.objects.bulk_create(
                Intervenant(
                    collective=collective,
                    full_name=i.full_name,
                    qualification=i.qualification,
                    is_volunteer=i.is_volunteer,
                )
                for i in intervenants
            )
        BudgetLine.objects.bulk_create(
            BudgetLine(project=project, account=b.account, financer=b.financer, amount=b.amount)
            for b in previous.budget_lines.all()
        )
    ProjectEvent.objects.create(
        project=project,
        actor=by,
        action="create",
        to_status=project.status,
        note=f"Repris du projet {previous.campaign.school_year}" if previous else "",
    )
    return project


def request_identity_change(carrier, *, by, values, reason):
    """A carrier asks the Caf to change its identity; nothing changes before the Caf accepts."""
    changes = {
        field: [_plain(getattr(carrier, field)), _plain(values[field])]
        for field in IDENTITY_FIELDS
        if field in values and _plain(values[field]) != _plain(getattr(carrier, field))
    }
    if not changes:
        raise ValidationError("Aucune modification : les valeurs sont celles que la Caf connaît.")
    if carrier.identity_changes.filter(status=CarrierIdentityChange.Status.PENDING).exists():
        raise ValidationError("Une demande de modification attend déjà la réponse de la Caf.")
    change = CarrierIdentityChange.objects.create(
        carrier=carrier, changes=changes, reason=reason, requested_by=by
    )
    messenger.send(
        "identity_change_requested",
        to=messenger.recipients_for(carrier, ("projects.decide_identity_change",)),
        context={"object": change},
    )
    return change


@transaction.atomic
def decide_identity_change(change_id, *, by, accept, note=""):
    change = (
        CarrierIdentityChange.objects.visible_to(by)
        .select_for_update(of=("self",))
        .select_related("carrier")
        .get(pk=change_id)
    )
    if change.status != CarrierIdentityChange.Status.PENDING:
        raise ValidationError("Cette demande a déjà reçu une réponse.")
    if not accept and not note.strip():
        raise ValidationError("Un refus doit être motivé.")
    carrier = change.carrier
    if accept:
        for field, (_before, after) in change.changes.items():
            setattr(carrier, field, after)
        try:
            carrier.full_clean(validate_unique=True)
        except ValidationError as exc:
            raise ValidationError(
                "La modification ne peut pas être appliquée : " + " ".join(exc.messages)
            ) from None
        carrier._change_reason = f"Modification d'identité acceptée par {by}"
        carrier.save()
    change.status = (
        CarrierIdentityChange.Status.APPROVED if accept else CarrierIdentityChange.Status.REFUSED
    )
    change.decided_by, change.decided_at, change.decision_note = by, timezone.now(), note
    change.save()
    messenger.send(
        "identity_change_decided",
        to=messenger.recipients_for(carrier, ("carrier_members",)),
        context={"object": change},
    )
    return change


def _plain(value):
    return "" if value is None else str(value).strip()
