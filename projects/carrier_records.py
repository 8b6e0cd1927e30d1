"""The Caf's carrier records: created and edited by its staff with a first user invited,
deactivated, two records of one structure merged, and sign-up requests of structures the Caf
does not know yet, accepted or refused. Every change is traced in the models' history (who,
when, before, after, and the reason)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from clasportal import messenger, rules

from .models import Campaign, Carrier, CarrierSignup
from .services import invite_member


def _reason(text):
    """The history's reason column holds 100 characters."""
    return text if len(text) <= 100 else text[:99] + "…"


@transaction.atomic
def create_carrier(*, values, by, base_url, first_user=None):
    """A carrier of `by`'s Caf and, when given, its first user invited to choose a password."""
    carrier = Carrier(caf=by.caf, **values)
    carrier._change_reason = _reason(f"Créé par {by}")
    carrier.save()
    if first_user and first_user.get("email"):
        invite_member(carrier=carrier, by=by, base_url=base_url, **first_user)
    return carrier


@transaction.atomic
def set_active(carrier_id, *, by, active, reason=""):
    carrier = Carrier.objects.visible_to(by).select_for_update(of=("self",)).get(pk=carrier_id)
    if not rules.can(by, "projects.deactivate_carrier", carrier):
        raise ValidationError("Votre rôle ne permet pas cette action.")
    if active and carrier.merged_into_id:
        raise ValidationError(
            f"Ce porteur a été fusionné dans {carrier.merged_into} : il ne peut pas être réactivé."
        )
    if carrier.is_active == active:
        return carrier
    carrier.is_active = active
    verb = "Réactivé" if active else "Désactivé"
    carrier._change_reason = _reason(f"{verb} par {by}" + (f" : {reason}" if reason else ""))
    carrier.save(update_fields=["is_active"])
    return carrier


def merge_plan(kept, duplicate):
    """What a merge would move, and why it cannot happen if it cannot (French messages)."""
    problems = []
    if kept.pk == duplicate.pk:
        problems.append("Choisissez deux porteurs différents.")
    if duplicate.merged_into_id:
        problems.append(f"{duplicate} a déjà été fusionné dans {duplicate.merged_into}.")
    if kept.merged_into_id:
        problems.append(f"{kept} a été fusionné dans {kept.merged_into} : gardez plutôt celui-ci.")
    shared = (
        Campaign.objects.filter(projects__carrier=duplicate)
        .filter(projects__carrier=kept)
        .distinct()
        .order_by("year")
    )
    for campaign in shared:
        problems.append(
            f"Les deux porteurs ont un projet dans la campagne {campaign.school_year} : une structure "
            "ne dépose qu'une demande par campagne. Retirez ou refusez l'un des deux projets "
            "avant de fusionner."
        )
    kept_users = set(kept.memberships.values_list("user_id", flat=True))
    memberships = list(duplicate.memberships.select_related("user"))
    return {
        "problems": problems,
        "projects": list(duplicate.projects.select_related("campaign").order_by("campaign__year")),
        "members_moved": [m for m in memberships if m.user_id not in kept_users],
        "members_already": [m for m in memberships if m.user_id in kept_users],
        "identity_changes": duplicate.identity_changes.count(),
        "window_exceptions": duplicate.window_exceptions.count(),
        "signups": duplicate.signups.count(),
    }


# Other records that point to a carrier and simply follow it to the kept one.
FOLLOWERS = ("identity_changes", "window_exceptions", "signups", "conventions")


@transaction.atomic
def merge(kept_id, duplicate_id, *, by):
    """The duplicate's projects, members and requests move to the kept carrier; the duplicate
    is deactivated and points to it. Refused when both filed in the same campaign."""
    carriers = {
        c.pk: c
        for c in Carrier.objects.visible_to(by)
        .select_for_update(of=("self",))
        .filter(pk__in=[kept_id, duplicate_id])
    }
    kept, duplicate = carriers.get(kept_id), carriers.get(duplicate_id)
    if kept is None or duplicate is None:
        raise ValidationError("Porteur introuvable.")
    if not rules.can(by, "projects.merge_carriers", kept):
        raise ValidationError("Votre rôle ne permet pas cette action.")
    plan = merge_plan(kept, duplicate)
    if plan["problems"]:
        raise ValidationError(plan["problems"])
    reason = f"Fusion de {duplicate} (SIRET {duplicate.siret}) dans {kept} par {by}"
    for project in plan["projects"]:
        project.carrier = kept
        project._change_reason = _reason(reason)
        project.save(update_fields=["carrier"])
    for membership in plan["members_moved"]:
        membership.carrier = kept
        membership._change_reason = _reason(reason)
        membership.save(update_fields=["carrier"])
    for membership in plan["members_already"]:
        membership._change_reason = _reason(reason)
        membership.delete()
    for name in FOLLOWERS:
        related = getattr(duplicate, name, None)
        if related is None:
            continue
        for row in related.all():
            row.carrier = kept
            row._change_reason = _reason(reason)
            row.save(update_fields=["carrier"])
    duplicate.is_active = False
    duplicate.merged_into = kept
    duplicate._change_reason = _reason(reason)
    duplicate.save(update_fields=["is_active", "merged_into"])
    kept._change_reason = _reason(reason)
    kept.save()  # a line in the kept carrier's history too
    return kept, plan


def duplicate_candidates(kept, user):
    """The other active carriers of the Caf, likeliest duplicates (same name start) first."""
    return (
        Carrier.objects.visible_to(user)
        .filter(is_active=True, merged_into__isnull=True)
        .exclude(pk=kept.pk)
        .annotate(projects_count=Count("projects"))
        .order_by("legal_name", "pk")
    )


# --- Sign-up requests ---------------------------------------------------------------------------


def siret_taken_message():
    return (
        "Cette structure (ce SIRET) a déjà un compte sur le portail Clas : contactez votre Caf "
        "pour être invité par la personne qui l'utilise, ou pour qu'elle vous ouvre un accès."
    )


@transaction.atomic
def request_signup(values):
    """A structure not yet known asks for an account; the Caf of its department is told."""
    if Carrier.objects.filter(siret=values["siret"]).exists():
        raise ValidationError({"siret": siret_taken_message()})
    signup = CarrierSignup.objects.create(**values)
    messenger.send(
        "carrier_signup_received",
        to=messenger.recipients_for(signup, ("projects.decide_signup",)),
        context={"object": signup},
    )
    messenger.send("carrier_signup_acknowledged", to=[signup.email], context={"object": signup})
    return signup


def _locked_signup(signup_id, by):
    signup = CarrierSignup.objects.visible_to(by).select_for_update(of=("self",)).get(pk=signup_id)
    if not rules.can(by, "projects.decide_signup", signup):
        raise ValidationError("Votre rôle ne permet pas cette action.")
    if signup.status != CarrierSignup.Status.PENDING:
        raise ValidationError("Cette demande a déjà reçu une réponse.")
    return signup


@transaction.atomic
def accept_signup(signup_id, *, by, commune, kind, base_url):
    """The carrier is created in the Caf with the chosen commune; its first user is invited to
    choose a password (the invitation e-mail), then files as a new carrier (situation 3)."""
    signup = _locked_signup(signup_id, by)
    if Carrier.objects.filter(siret=signup.siret).exists():
        raise ValidationError(siret_taken_message())
    if commune.caf_id != signup.caf_id:
        raise ValidationError("Choisissez une commune de votre Caf.")
    carrier = Carrier(
        caf_id=signup.caf_id,
        legal_name=signup.legal_name,
        siret=signup.siret,
        kind=kind,
        address=signup.address,
        commune=commune,
        contact_name=f"{signup.first_name} {signup.last_name}".strip(),
        email=signup.email,
        phone=signup.phone,
    )
    carrier.full_clean(validate_unique=False)
    carrier._change_reason = _reason(
        f"Demande de compte du {signup.created_at:%d/%m/%Y} acceptée par {by}"
    )
    carrier.save()
    user = invite_member(
        carrier=carrier,
        email=signup.email,
        first_name=signup.first_name,
        last_name=signup.last_name,
        by=by,
        base_url=base_url,
        intro=f"La Caf {carrier.caf.name} a accepté votre demande de compte pour "
        f"{carrier} sur le portail Clas : vous pouvez déposer une demande de financement "
        "(nouveau porteur).",
    )
    signup.status = CarrierSignup.Status.ACCEPTED
    signup.carrier = carrier
    signup.decided_by, signup.decided_at = by, timezone.now()
    signup._change_reason = _reason(f"Acceptée par {by}")
    signup.save()
    return signup, user


@transaction.atomic
def refuse_signup(signup_id, *, by, reason):
    signup = _locked_signup(signup_id, by)
    if not reason.strip():
        raise ValidationError("Un refus doit être motivé : le motif est envoyé au demandeur.")
    signup.status = CarrierSignup.Status.REFUSED
    signup.decided_by, signup.decided_at = by, timezone.now()
    signup.decision_note = reason.strip()
    signup._change_reason = _reason(f"Refusée par {by}")
    signup.save()
    messenger.send("carrier_signup_refused", to=[signup.email], context={"object": signup})
    return signup
