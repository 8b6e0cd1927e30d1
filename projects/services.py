"""Carrier-side services: inviting a colleague."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from clasportal.accounts import normalize_username, send_password_link
from clasportal.notifications import notify

from .models import CarrierMembership

INVITATION_SUBJECT = "Invitation au portail Clas"


@transaction.atomic
def invite_member(*, carrier, email, first_name="", last_name="", by, base_url):
    User = get_user_model()
    email = normalize_username(email)
    user = User.objects.filter(email__iexact=email).first()
    if user is not None and user.staff_profile_or_none is not None:
        raise ValidationError("Cette adresse appartient à un agent de la Caf.", code="staff")
    created = user is None
    if created:
        user = User.objects.create_user(email=email, first_name=first_name, last_name=last_name)
        user.set_unusable_password()
        user.save(update_fields=["password"])
    if CarrierMembership.objects.filter(carrier=carrier, user=user).exists():
        raise ValidationError("Cette personne est déjà membre de votre structure.", code="member")
    CarrierMembership.objects.create(carrier=carrier, user=user, invited_by=by)
    if created:
        # Through the outbox, which takes the link out of the stored body once sent.
        send_password_link(
            user,
            subject=INVITATION_SUBJECT,
            intro=f"{by} vous invite à rejoindre {carrier} sur le portail Clas.",
            base_url=base_url,
        )
    else:
        notify(
            subject=INVITATION_SUBJECT,
            body=f"Bonjour,\n\n{by} vous a ajouté(e) à {carrier} sur le portail Clas.\n",
            to=[email],
        )
    return user


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
    from .models import BudgetLine, Intervenant, Project, ProjectEvent

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
