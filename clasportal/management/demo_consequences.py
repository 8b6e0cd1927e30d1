"""Demo data for issue 17 (piece A): in the Loire's closed campaign, actual declarations whose
justification the GC rejected with its effect — a collective of 18 children excluded from the
right (Loire guide: outside 8–12, « hors critères… pas éligible à la Ps Clas »).

One is validated (the carrier and the GC see the frozen right on the remaining collectives),
one still waits for validation with the carrier's answer (the contradictory procedure)."""

from django.contrib.auth import get_user_model

from projects.models import ProjectStatus

# porteur@demo.clas.fr walks the declaration journey (e2e) on its own projects: Firminy here.
CARRIER_EMAIL = "porteur2@demo.clas.fr"
NOTE = (
    "Collectif de 18 enfants : hors critères (8 à 12 enfants par collectif, guide des porteurs "
    "Loire), pas éligible à la PS Clas. Il est exclu du droit."
)


def _candidates(closed):
    projects = (
        closed.projects.filter(status=ProjectStatus.APPROVED, declarations__kind="forecast")
        .filter(declarations__status="validated")
        .select_related("carrier", "campaign")
        .order_by("pk")
    )
    chosen = [p for p in projects if p.collectives.count() >= 2 and p.agreed_collectives]
    return [p for p in chosen if p.carrier.memberships.filter(user__email=CARRIER_EMAIL).exists()][
        :2
    ]


def _actual_with_a_rejection(project, processor, *, answer, validate):
    from declarations import services
    from declarations.models import Declaration

    member = project.carrier.memberships.select_related("user").first()
    if member is None:
        return
    carrier = member.user
    actual = services.open_declaration(project, "actual", by=carrier)
    children = list(actual.children or [])[: actual.collectives]
    if len(children) < 2:
        return
    children = [10 for _ in children]
    children[1] = 18
    Declaration.objects.filter(pk=actual.pk).update(
        children=children,
        sessions_held=60,
        presences=540,
        families=len(children) * 9,
        children_elementaire=sum(children),
        girls=sum(children) // 2,
        boys=sum(children) - sum(children) // 2,
        actions_run="Accompagnement scolaire deux soirs par semaine, sortie au musée d'art "
        "moderne de Saint-Étienne, deux cafés des parents.",
    )
    actual.refresh_from_db()
    found = services.findings(actual)
    services.submit(
        actual.pk,
        by=carrier,
        justifications={
            (f.code, f.field): "Le deuxième groupe a accueilli les enfants de l'école voisine, "
            "fermée pour travaux."
            for f in found
        },
    )
    for justification in actual.justifications.all():
        if justification.code == "children_out_of_range":
            services.decide_justification(
                justification.pk,
                by=processor,
                accepted=False,
                effect="exclude_collective",
                collectives=[2],
                note=NOTE,
            )
            if answer:
                services.answer_rejection(
                    justification.pk,
                    by=carrier,
                    text="Ces enfants ont été accueillis en deux demi-groupes de 9, avec deux "
                    "intervenants chacun : nous demandons que le collectif reste financé.",
                )
        else:
            services.decide_justification(justification.pk, by=processor, accepted=True)
    if validate:
        services.validate(actual.pk, by=processor, confirm_excess=True)


def seed(closed):
    """`closed`: the Loire's 2025/2026 campaign, once its forecasts are validated."""
    processor = get_user_model().objects.filter(email="gc@demo.clas.fr").first()
    if processor is None:
        return
    projects = _candidates(closed)
    for index, project in enumerate(projects):
        _actual_with_a_rejection(project, processor, answer=index == 1, validate=index == 0)
