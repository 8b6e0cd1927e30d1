"""Every document about a project, downloadable again from its page: the deposit receipt and
the convention here; the committee's decision letters, the validated declarations and the
payment notices from the apps that make them, each registered in its AppConfig.ready (this app
cannot import them: layers)."""

from dataclasses import dataclass

from django.urls import reverse

# Functions (project, user) -> list[Document], added by later apps.
PROVIDERS = []


@dataclass(frozen=True)
class Document:
    label: str
    url: str
    date: object = None  # a date, when the document has one
    kind: str = "PDF"


def documents_for(project, user):
    documents = []
    if project.receipt:
        documents.append(
            Document(
                "Récépissé de dépôt",
                reverse("projects:receipt", args=[project.pk]),
                project.submitted_at,
            )
        )
    convention = _convention_of(project)
    if convention is not None:
        documents.append(
            Document(
                f"Convention d'objectifs et de financement n° {convention.number}",
                reverse("projects:convention_pdf", args=[convention.pk]),
            )
        )
    for provider in PROVIDERS:
        documents.extend(provider(project, user))
    return documents


def _convention_of(project):
    if project.convention_id:
        return project.convention
    line = project.convention_line
    return line.convention if line else None
