"""Every URL of the portal, requested by every role: outsiders (anonymous, another carrier of
the same Caf, every role of another Caf, the national admin) and insiders (the project's own
carrier and every staff role of the project's Caf, including a committee member who does not sit
on the session, and two partner accounts of the Caf (issue 18): one sitting on the project's
session, who reads its deposited file through the partner pages only, and one who does not sit). The expected outcome of each is written once below; a URL without an entry fails
the test, so a new page cannot ship without saying who may see it. Every object is real: no
fallback id, so a 404 always means "out of scope", never "does not exist".

"ok" means the person got through authorization (a page, a download, or the action's own answer:
a redirect or a form with its French errors); each insider request runs in a savepoint rolled back
afterwards, so one person's action does not change what the next one sees."""

import datetime

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from clasportal.models import Notice, Role
from committee.models import (
    AgendaItem,
    CommitteeSession,
    Decision,
    ExportJob,
    FinancingScheme,
    InYearBonusRequest,
    PartnerAccount,
    PartnerOrganisation,
)
from declarations import bilans, controls
from declarations import services as declarations
from declarations.models import (
    BilanForm,
    BilanResponse,
    ControlChecklistItem,
    DeclarationDocument,
    Justification,
    Payment,
    Recovery,
    Resource,
)
from projects import conventions
from projects.models import (
    CarrierIdentityChange,
    CarrierMembership,
    CarrierSignup,
    DocumentType,
)

from .declaration_helpers import approve
from .factories import UserFactory, staff_user
from .request_helpers import pdf_upload, png_upload

pytestmark = pytest.mark.django_db

OUTSIDERS = (
    "anonymous",
    "other_carrier",
    "far_carrier",
    "far_advisor",
    "far_processor",
    "far_committee",
    "far_caf_admin",
    "national_admin",
)
INSIDERS = (
    "carrier",
    "advisor",
    "processor",
    "payer",
    "committee",
    "committee_not_member",
    "caf_admin",
    "partner",
    "partner_not_member",
)
REQUESTERS = OUTSIDERS + INSIDERS
FAR_STAFF = ("far_advisor", "far_processor", "far_committee", "far_caf_admin")
STAFF = ("advisor", "processor", "payer", "committee", "committee_not_member", "caf_admin")
LOGIN = "login"  # anonymous visitors are sent to the login page
OK = "ok"
GROUPS = {
    "far_staff": FAR_STAFF,
    "carriers": ("other_carrier", "far_carrier"),
    "staff": STAFF,
    "committees": ("committee", "committee_not_member"),
    "partners": ("partner", "partner_not_member"),
}


def rule(default, **overrides):
    """Expected outcome for each requester: `default`, except the named ones or groups."""
    expected = {requester: default for requester in REQUESTERS}
    expected["anonymous"] = LOGIN
    # A partner account is neither carrier nor staff: refused (403) wherever another Caf's or
    # another carrier's person is let through or refused, out of scope (404) on an object, unless
    # an entry says otherwise ("partners" or one of them by name).
    for partner in GROUPS["partners"]:
        expected[partner] = 404 if default == 404 else 403
    for name, outcome in overrides.items():
        for requester in GROUPS.get(name, (name,)):
            expected[requester] = outcome
    return expected


def carrier_object(**more):
    """An object of the project's carrier: its members act, its Caf's staff read (403 to act),
    everybody else gets a 404."""
    return rule(404, carrier=OK, **{"staff": 403, **more})


CARRIER_READ = carrier_object(staff=OK)
CARRIER_ACTION = carrier_object()
STAFF_PAGE = rule(OK, carriers=403, national_admin=403, carrier=403)
# Pages every signed-in person reaches, whatever their role.
SIGNED_IN = rule(OK, partners=OK)
# A staff object of the project's Caf: outsiders get a 404, the carrier a 403 or 404.
STAFF_OBJECT = rule(404, staff=OK)
ADMIN_PAGE = rule(403, far_caf_admin=OK, caf_admin=OK)
# Staff and the national admin may enrol a second factor; carriers log in with a password only.
SECOND_FACTOR_PAGE = rule(OK, carriers=403, carrier=403)
# Caf-wide reference data carriers of the Caf may read, that only its administrator changes.
BILAN_MANAGE = rule(404, carrier=403, other_carrier=403, staff=403, caf_admin=OK)
REVIEW_ACTION = rule(404, carrier=403, staff=403, advisor=OK)
# Controls are recorded by the project Caf's advisors, GC and administrator (not its committee).
CONTROL_ACTION = rule(404, carrier=403, staff=403, advisor=OK, processor=OK, payer=OK, caf_admin=OK)
# The national administrator's set-up of the Caf: nobody else, whatever their Caf.
NATIONAL_PAGE = rule(403, national_admin=OK)
# Django's admin for support staff lives under one include, namespace "support"; its URLs
# (one per registered model) are checked by tests/test_support_admin.py.
SUPPORT_ADMIN_NAMESPACE = "support:"


def seated(expected):
    """The partner sitting on the project's session sees the session and the deposited project
    (its scope), so a page of the Caf or of the carrier on them is a 403 to it, never the page."""
    return {**expected, "partner": 403}


# name: (method, expected)
MATRIX = {
    "home": ("GET", SIGNED_IN),
    "login": ("GET", rule(OK, anonymous=OK, partners=OK)),
    "logout": ("POST", rule(LOGIN, partners=LOGIN)),
    "password_reset": ("GET", rule(OK, anonymous=OK, partners=OK)),
    "password_reset_done": ("GET", rule(OK, anonymous=OK, partners=OK)),
    "password_reset_confirm": ("GET", rule(OK, anonymous=OK, partners=OK)),
    "password_reset_complete": ("GET", rule(OK, anonymous=OK, partners=OK)),
    "password_change": ("GET", SIGNED_IN),
    "password_change_done": ("GET", SIGNED_IN),
    "healthz": ("GET", rule(OK, anonymous=OK, partners=OK)),
    "otp_setup": ("GET", SECOND_FACTOR_PAGE),
    "otp_recovery_codes": ("GET", SECOND_FACTOR_PAGE),
    "otp_recovery_codes_regenerate": ("POST", SECOND_FACTOR_PAGE),
    # Without an enrolled app there is no code to give: everyone is sent on to the portal.
    "otp_verify": ("GET", SIGNED_IN),
    "audit": ("GET", ADMIN_PAGE),
    "audit_export": ("POST", ADMIN_PAGE),
    "audit_export_status": ("GET", rule(404, staff=403, caf_admin=OK)),
    "audit_export_download": ("GET", rule(404, staff=403, caf_admin=OK)),
    "team": ("GET", ADMIN_PAGE),
    # The Caf's referential: its administrator only; another Caf's object is a 404 to theirs.
    "territory_list": ("GET", ADMIN_PAGE),
    "territory_edit": ("GET", rule(403, far_caf_admin=404, caf_admin=OK)),
    "territory_delete": ("POST", rule(403, far_caf_admin=404, caf_admin=OK)),
    "commune_list": ("GET", ADMIN_PAGE),
    "commune_create": ("GET", ADMIN_PAGE),
    "commune_edit": ("GET", rule(403, far_caf_admin=404, caf_admin=OK)),
    "commune_import": ("GET", ADMIN_PAGE),
    "commune_import_confirm": ("POST", ADMIN_PAGE),
    "commune_import_template": ("GET", ADMIN_PAGE),
    "setup_caf_list": ("GET", NATIONAL_PAGE),
    "setup_caf_create": ("GET", NATIONAL_PAGE),
    "setup_caf_detail": ("GET", NATIONAL_PAGE),
    "setup_caf_edit": ("GET", NATIONAL_PAGE),
    "setup_caf_logo": ("GET", NATIONAL_PAGE),
    "setup_caf_invite_admin": ("POST", NATIONAL_PAGE),
    "setup_caf_admin_resend": ("POST", NATIONAL_PAGE),
    # Everyone has a notification centre; a notice is its owner's only (here the carrier's).
    "notices": ("GET", SIGNED_IN),
    "notice_read_all": ("POST", SIGNED_IN),
    "notice_preferences": ("GET", SIGNED_IN),
    "notice_read": ("POST", rule(404, carrier=OK)),
    "team_member": ("GET", rule(403, far_caf_admin=404, caf_admin=OK)),
    "team_member_toggle": ("POST", rule(403, far_caf_admin=404, caf_admin=OK)),
    "team_member_unlock": ("POST", rule(403, far_caf_admin=404, caf_admin=OK)),
    "team_member_invite": ("POST", rule(403, far_caf_admin=404, caf_admin=OK)),
    "team_second_factor": ("POST", ADMIN_PAGE),
    "team_member_reset_second_factor": ("POST", rule(403, far_caf_admin=404, caf_admin=OK)),
    "projects:list": ("GET", rule(OK)),
    "projects:create": ("GET", rule(403, carriers=OK, carrier=OK)),
    "projects:detail": ("GET", seated(CARRIER_READ)),
    "projects:step": ("GET", seated(CARRIER_ACTION)),
    "projects:submit": ("POST", seated(CARRIER_ACTION)),
    "projects:receipt": ("GET", seated(CARRIER_READ)),
    "projects:message_post": ("POST", seated(CARRIER_READ)),
    "projects:collective_create": ("GET", seated(CARRIER_ACTION)),
    "projects:collective_edit": ("GET", seated(CARRIER_ACTION)),
    "projects:collective_delete": ("POST", seated(CARRIER_ACTION)),
    "projects:attachment_upload": ("POST", seated(CARRIER_ACTION)),
    "projects:attachment": ("GET", seated(CARRIER_READ)),
    "projects:attachment_delete": ("POST", seated(CARRIER_ACTION)),
    "projects:carrier_list": ("GET", rule(OK, national_admin=403)),
    "projects:carrier_detail": ("GET", CARRIER_READ),
    "projects:carrier_invite": ("POST", CARRIER_ACTION),
    # Only the person invited answers their own pending invitation.
    "projects:invitation_answer": ("POST", rule(404, other_carrier=OK)),
    "projects:identity_change_request": ("POST", CARRIER_ACTION),
    "projects:identity_change_decide": (
        "POST",
        rule(404, carrier=403, staff=403, advisor=OK, caf_admin=OK),
    ),
    "projects:member_invite_resend": ("POST", CARRIER_ACTION),
    # The Caf's carrier records: advisors and the administrator create, edit and invite; only
    # the administrator deactivates or merges.
    "projects:carrier_create": (
        "GET",
        rule(403, far_advisor=OK, far_caf_admin=OK, advisor=OK, caf_admin=OK),
    ),
    "projects:carrier_edit": ("GET", rule(404, carrier=403, staff=403, advisor=OK, caf_admin=OK)),
    "projects:carrier_staff_invite": (
        "POST",
        rule(404, carrier=403, staff=403, advisor=OK, caf_admin=OK),
    ),
    "projects:carrier_activation": ("POST", rule(404, carrier=403, staff=403, caf_admin=OK)),
    "projects:carrier_merge": ("GET", rule(404, carrier=403, staff=403, caf_admin=OK)),
    # A public page: a structure without an account asks for one.
    "projects:signup": ("GET", rule(OK, anonymous=OK, partners=OK)),
    "projects:signup_list": (
        "GET",
        rule(403, far_advisor=OK, far_caf_admin=OK, advisor=OK, caf_admin=OK),
    ),
    "projects:signup_detail": ("GET", rule(404, staff=403, advisor=OK, caf_admin=OK)),
    "projects:campaign_list": ("GET", STAFF_PAGE),
    # Conventions (issue 15): carriers see their own in the register (an empty list otherwise),
    # the Caf its own; the Caf amends and records signatures, the carrier opens its year.
    "projects:convention_list": ("GET", rule(OK, national_admin=403)),
    "projects:convention_export": ("GET", STAFF_PAGE),
    "projects:convention_policy": ("GET", ADMIN_PAGE),
    "projects:convention_detail": ("GET", CARRIER_READ),
    "projects:convention_pdf": ("GET", CARRIER_READ),
    "projects:convention_signed_copy": ("GET", CARRIER_READ),
    "projects:amendment_pdf": ("GET", CARRIER_READ),
    "projects:convention_amend": (
        "POST",
        rule(404, carrier=403, staff=403, advisor=OK, caf_admin=OK),
    ),
    "projects:convention_sign": (
        "POST",
        rule(404, carrier=403, staff=403, advisor=OK, caf_admin=OK),
    ),
    "projects:convention_year_start": ("POST", CARRIER_ACTION),
    "projects:adjustment_decide": (
        "POST",
        seated(
            rule(404, carrier=403, staff=403, advisor=OK, caf_admin=OK),
        ),
    ),
    "projects:campaign_edit": ("GET", rule(403, far_staff=404, caf_admin=OK)),
    "projects:campaign_create": ("GET", ADMIN_PAGE),
    "projects:campaign_copy": ("POST", rule(403, far_staff=404, caf_admin=OK)),
    "projects:campaign_archive": ("POST", rule(403, far_staff=404, caf_admin=OK)),
    "projects:document_type_add": ("POST", rule(403, far_caf_admin=OK, caf_admin=OK)),
    # Carriers read their Caf's list of documents (the request asks for them), so a 403.
    "projects:document_type_delete": (
        "POST",
        rule(404, carrier=403, other_carrier=403, staff=403, caf_admin=OK),
    ),
    "funding:simulator": ("GET", rule(OK)),
    "funding:bareme_list": ("GET", rule(OK, carriers=403, carrier=403)),
    "funding:bareme_create": ("GET", rule(403, national_admin=OK)),
    "funding:bareme_edit": ("GET", rule(403, national_admin=OK)),
    "funding:policy": ("GET", ADMIN_PAGE),
    "committee:queue": ("GET", STAFF_PAGE),
    "committee:review": ("GET", seated(rule(404, carrier=403, staff=OK))),
    "committee:review_start": ("POST", seated(REVIEW_ACTION)),
    "committee:review_request_changes": ("POST", seated(REVIEW_ACTION)),
    "committee:review_take_back": ("POST", seated(REVIEW_ACTION)),
    "committee:review_propose": ("POST", seated(REVIEW_ACTION)),
    "committee:review_bonus": ("POST", seated(REVIEW_ACTION)),
    "committee:review_rural": ("POST", seated(REVIEW_ACTION)),
    "committee:review_note": ("POST", seated(rule(404, carrier=403, staff=OK))),
    "committee:review_other_financer": ("POST", seated(rule(404, carrier=403, staff=OK))),
    # A bonus asked during the year: the project's carrier asks, the advisor decides.
    "committee:bonus_request_create": ("GET", seated(CARRIER_ACTION)),
    "committee:bonus_request_decide": ("POST", REVIEW_ACTION),
    # Co-financers (issue 18): the session's members record each financer's decision; the Caf
    # administrator keeps the schemes (carriers of the Caf may read them, not change them) and
    # the envelopes.
    "committee:session_financer_decide": ("POST", seated(rule(404, staff=403, committee=OK))),
    "committee:scheme_list": ("GET", ADMIN_PAGE),
    "committee:scheme_create": ("GET", ADMIN_PAGE),
    "committee:scheme_edit": (
        "GET",
        rule(404, carrier=403, other_carrier=403, staff=403, caf_admin=OK),
    ),
    "committee:envelope_set": ("POST", ADMIN_PAGE),
    "committee:session_list": ("GET", STAFF_PAGE),
    "committee:session_create": ("GET", rule(403, far_caf_admin=OK, caf_admin=OK)),
    "committee:session_detail": ("GET", seated(STAFF_OBJECT)),
    "committee:session_agenda": ("POST", seated(rule(404, staff=403, caf_admin=OK))),
    "committee:session_decide": ("POST", seated(rule(404, staff=403, committee=OK))),
    "committee:session_close": ("POST", seated(rule(404, staff=403, committee=OK, caf_admin=OK))),
    "committee:export_start": ("POST", seated(STAFF_OBJECT)),
    "committee:export_status": ("GET", seated(STAFF_OBJECT)),
    "committee:export_download": ("GET", seated(STAFF_OBJECT)),
    # Issue 18: the administrator names a session's members; the attendance is recorded by the
    # administrator or a committee member sitting on it. The partner sitting on the session sees
    # it (403 to act), the other one does not (404).
    "committee:session_members": ("POST", rule(404, staff=403, caf_admin=OK, partner=403)),
    "committee:session_attendance": (
        "POST",
        rule(404, staff=403, committee=OK, caf_admin=OK, partner=403),
    ),
    # Issue 21: the members' list and attendance sheet, a fragment of the session page read by
    # those who record them.
    "committee:session_people": (
        "GET",
        rule(404, staff=403, committee=OK, caf_admin=OK, partner=403),
    ),
    # The partner's own reading of the sessions it sits on: the agenda and the deposited files.
    "committee:partner_session": ("GET", rule(404, staff=403, partner=OK)),
    "committee:partner_project": ("GET", rule(404, staff=403, partner=OK)),
    # The Caf administrator's partner organisations and their people's accounts.
    "committee:partner_list": ("GET", ADMIN_PAGE),
    "committee:partner_edit": ("GET", rule(403, far_caf_admin=404, caf_admin=OK)),
    "committee:partner_activation": ("POST", rule(403, far_caf_admin=404, caf_admin=OK)),
    "committee:partner_invite": ("POST", rule(403, far_caf_admin=404, caf_admin=OK)),
    "committee:partner_account_toggle": ("POST", rule(403, far_caf_admin=404, caf_admin=OK)),
    "declarations:figures": ("GET", STAFF_PAGE),
    # The Caf's resource library: its carriers and staff read it, its administrator fills it.
    "declarations:resources": ("GET", rule(OK, national_admin=403)),
    "declarations:resource_add": ("POST", rule(403, far_caf_admin=OK, caf_admin=OK)),
    "declarations:resource_download": (
        "GET",
        rule(404, carrier=OK, other_carrier=OK, staff=OK),
    ),
    "declarations:resource_delete": ("POST", BILAN_MANAGE),
    # Working lists exported by staff with their filters, as background jobs.
    "declarations:list_export": ("POST", STAFF_PAGE),
    "declarations:list_export_status": ("GET", rule(403, far_staff=404, staff=OK)),
    "declarations:list_export_download": ("GET", rule(403, far_staff=404, staff=OK)),
    # Documents on the project's page: its carrier and its Caf's staff download them again.
    "declarations:declaration_pdf": ("GET", CARRIER_READ),
    "declarations:payment_notice": ("GET", CARRIER_READ),
    "committee:project_letter": ("GET", CARRIER_READ),
    "declarations:national_figures": ("GET", rule(403, national_admin=OK)),
    "declarations:national_figures_xlsx": ("GET", rule(403, national_admin=OK)),
    # Bilans: staff read them (outsiders of the Caf get a 404), the Caf administrator builds
    # the questionnaire, the project's carrier fills its own.
    "declarations:bilan_admin": ("GET", rule(403, far_staff=404, staff=OK)),
    "declarations:bilan_create": ("POST", BILAN_MANAGE),
    "declarations:bilan_settings": ("POST", BILAN_MANAGE),
    "declarations:bilan_question_add": ("POST", BILAN_MANAGE),
    "declarations:bilan_question_edit": ("GET", BILAN_MANAGE),
    "declarations:bilan_question_delete": ("POST", BILAN_MANAGE),
    "declarations:bilan_fill": ("GET", seated(CARRIER_READ)),
    "declarations:bilan_mark_read": ("POST", rule(404, carrier=403, staff=OK)),
    "declarations:departmental_bilan": ("GET", rule(403, far_staff=404, staff=OK)),
    "declarations:departmental_bilan_pdf": ("GET", rule(403, far_staff=404, staff=OK)),
    "declarations:departmental_bilan_xlsx": ("GET", rule(403, far_staff=404, staff=OK)),
    "declarations:open": ("POST", seated(CARRIER_ACTION)),
    "declarations:edit": ("GET", CARRIER_ACTION),
    "declarations:check": ("POST", CARRIER_ACTION),
    "declarations:upload": ("POST", CARRIER_ACTION),
    "declarations:justification_answer": ("POST", CARRIER_ACTION),
    "declarations:document": ("GET", CARRIER_READ),
    "declarations:queue": ("GET", STAFF_PAGE),
    "declarations:process": ("GET", rule(404, carrier=403, staff=OK)),
    "declarations:justification": (
        "POST",
        rule(404, carrier=403, staff=403, processor=OK, payer=OK),
    ),
    "declarations:return": ("POST", rule(404, carrier=403, staff=403, processor=OK, payer=OK)),
    "declarations:validate": ("POST", rule(404, carrier=403, staff=403, processor=OK, payer=OK)),
    "declarations:payments": ("GET", STAFF_PAGE),
    "declarations:payment_export": ("POST", STAFF_PAGE),
    "declarations:payment_export_status": ("GET", STAFF_OBJECT),
    "declarations:payment_export_download": ("GET", STAFF_OBJECT),
    # The GC who validated the right does not pay it (separation of duties): another GC does.
    # (the GC who validated it is told so on the payments page, with nothing changed).
    "declarations:payment_advance": (
        "POST",
        rule(404, carrier=403, staff=403, processor=OK, payer=OK),
    ),
    # Controls and visits (issue 17): the Caf's advisors, GC and administrator record them, its
    # staff read them, the carrier reads its own; the administrator keeps the checklist.
    "declarations:control_list": ("GET", STAFF_PAGE),
    "declarations:control_checklist": ("GET", ADMIN_PAGE),
    "declarations:control_checklist_item": ("POST", rule(404, staff=403, caf_admin=OK)),
    "declarations:control_create": ("GET", seated(CONTROL_ACTION)),
    "declarations:control_detail": ("GET", CARRIER_READ),
    "declarations:control_edit": ("GET", CONTROL_ACTION),
    "declarations:control_follow_up_done": ("POST", CONTROL_ACTION),
    "declarations:control_consequence": ("POST", CONTROL_ACTION),
    # Issue 17: the committee suspends or withdraws an agrément; the GC settles an amount to
    # recover (the carrier reads both on its project page).
    "declarations:agreement": ("GET", seated(rule(404, carrier=403, staff=403, committees=OK))),
    "declarations:recovery_settle": (
        "POST",
        rule(404, carrier=403, staff=403, processor=OK, payer=OK),
    ),
}


# What a POST carries when an empty form would be refused before authorization matters.
POST_DATA = {
    "committee:export_start": {"kind": "agrement_pdf"},
    "declarations:bilan_settings": {
        "title": "Bilan",
        "opens_on": "2027-07-01",
        "due_on": "2027-09-30",
    },
    # A callable gives each request its own file to upload.
    "declarations:resource_add": lambda: {
        "title": "Référentiel",
        "category": "referential",
        "place": "everywhere",
        "position": "0",
        "upload": pdf_upload("referentiel.pdf"),
    },
    "declarations:bilan_question_add": {
        "section": "Enfants",
        "position": "9",
        "text": "Combien ?",
        "kind": "number",
        "required": "on",
    },
}


def url_names(patterns=None, namespace=""):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            prefix = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_names(pattern.url_patterns, prefix)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


@pytest.fixture
def world(loire, vosges):
    """Loire's objects of every kind; Vosges's people and Loire's other carrier ask for them."""
    project = approve(loire, bonus_children=True)
    forecast = declarations.open_declaration(project, "forecast", by=loire.carrier_user)
    found = declarations.findings(forecast)
    declarations.submit(
        forecast.pk, by=loire.carrier_user, justifications={(f.code, f.field): "ok" for f in found}
    )
    document = DeclarationDocument.objects.create(
        declaration=forecast,
        kind="bilan",
        file=pdf_upload(),
        original_name="bilan.pdf",
        content_type="application/pdf",
        size=10,
    )
    session = project.agenda_items.get().session
    organisation = PartnerOrganisation.objects.create(
        caf=loire.caf, kind="msa", name="MSA Loire", budget_label="MSA-42"
    )
    partner, partner_not_member = (
        PartnerAccount.objects.create(user=UserFactory(), organisation=organisation).user
        for _ in range(2)
    )
    session.members.add(partner)
    scheme = FinancingScheme.objects.create(
        partner=organisation,
        campaign=project.campaign,
        name="Grandir en milieu rural",
        rule="per_carrier",
        amount=1000,
    )
    job = ExportJob.objects.create(
        session=session, kind="agrement_pdf", status="done", file=pdf_upload("liste.pdf")
    )
    payments_job, audit_job = (
        ExportJob.objects.create(
            caf=loire.caf,
            kind=kind,
            status="done",
            created_by=loire.caf_admin,
            file=SimpleUploadedFile(f"{kind}.csv", b"\xef\xbb\xbfA;B\r\n"),
        )
        for kind in ("payments_csv", "audit_csv")
    )
    for justification in forecast.justifications.all():
        declarations.decide_justification(justification.pk, by=loire.processor, accepted=True)
    validated = declarations.validate(forecast.pk, by=loire.processor)
    payment = Payment.objects.filter(project=project).first()
    paid = Payment.objects.filter(project=project).exclude(pk=payment.pk).first()
    Payment.objects.filter(pk=paid.pk).update(status="paid")
    closed_session = CommitteeSession.objects.create(
        caf=loire.caf,
        campaign=project.campaign,
        date=datetime.date(2026, 6, 10),
        place="Caf",
        status="closed",
        closed_at=timezone.now(),
    )
    Decision.objects.create(
        item=AgendaItem.objects.create(session=closed_session, project=project),
        outcome="adjourned",
    )
    justification = forecast.justifications.first() or Justification.objects.create(
        declaration=forecast, code="weeks_low", field="weeks", text="Vacances décalées"
    )
    assert payment is not None and justification is not None
    identity_change = CarrierIdentityChange.objects.create(
        carrier=loire.carrier, changes={"legal_name": ["A", "B"]}, reason="Fusion"
    )
    invitation = CarrierMembership.objects.create(
        carrier=loire.carrier, user=loire.other_carrier_user, accepted_at=None
    )
    bilan = bilans.create_form(project.campaign)
    BilanForm.objects.filter(pk=bilan.pk).update(opens_on=datetime.date(2020, 1, 1))
    bilan_response = BilanResponse.objects.create(
        form=bilan, project=project, status="submitted", answers={}
    )
    loire.caf.logo.save("logo.png", png_upload(), save=True)
    signup = CarrierSignup.objects.create(
        caf=loire.caf,
        legal_name="Association Nouvelle",
        siret="73282932000074",
        kind="association",
        commune_name="Firminy",
        first_name="Alex",
        last_name="Durand",
        email="alex@nouvelle.fr",
    )
    list_job = ExportJob.objects.create(
        caf=loire.caf,
        kind="projects_csv",
        status="done",
        created_by=loire.advisor,
        file=SimpleUploadedFile("projets-clas.csv", b"\xef\xbb\xbfA;B\r\n"),
    )
    resource = Resource.objects.create(
        caf=loire.caf,
        title="Référentiel national",
        category="referential",
        file=pdf_upload("referentiel.pdf"),
        content_type="application/pdf",
        original_name="referentiel.pdf",
    )
    notice = Notice.objects.create(
        user=loire.carrier_user, caf=loire.caf, kind="window_closing", key="k", title="t", body="b"
    )
    kwargs = {
        "notice_read": {"pk": notice.pk},
        "declarations:resource_download": {"pk": resource.pk},
        "declarations:resource_delete": {"pk": resource.pk},
        "declarations:list_export": {"what": "projets", "fmt": "csv"},
        "declarations:list_export_status": {"job_pk": list_job.pk},
        "declarations:list_export_download": {"job_pk": list_job.pk},
        "declarations:declaration_pdf": {"pk": validated.pk},
        "declarations:payment_notice": {"pk": paid.pk},
        "committee:project_letter": {"pk": project.pk, "session_pk": closed_session.pk},
        "territory_edit": {"pk": loire.territory.pk},
        "territory_delete": {"pk": loire.territory.pk},
        "commune_edit": {"pk": loire.carrier.commune_id},
        "projects:carrier_edit": {"pk": loire.carrier.pk},
        "projects:carrier_staff_invite": {"pk": loire.carrier.pk},
        "projects:carrier_activation": {"pk": loire.carrier.pk},
        "projects:carrier_merge": {"pk": loire.carrier.pk},
        "projects:signup_detail": {"pk": signup.pk},
        "declarations:bilan_admin": {"campaign_pk": project.campaign_id},
        "declarations:bilan_create": {"campaign_pk": project.campaign_id},
        "declarations:bilan_settings": {"pk": bilan.pk},
        "declarations:bilan_question_add": {"pk": bilan.pk},
        "declarations:bilan_question_edit": {"pk": bilan.questions.first().pk},
        "declarations:bilan_question_delete": {"pk": bilan.questions.first().pk},
        "declarations:bilan_fill": {"project_pk": project.pk},
        "declarations:bilan_mark_read": {"pk": bilan_response.pk},
        "declarations:departmental_bilan": {"campaign_pk": project.campaign_id},
        "declarations:departmental_bilan_pdf": {"campaign_pk": project.campaign_id},
        "declarations:departmental_bilan_xlsx": {"campaign_pk": project.campaign_id},
        "projects:detail": {"pk": project.pk},
        "projects:step": {"pk": project.pk, "slug": "projet"},
        "projects:submit": {"pk": project.pk},
        "projects:receipt": {"pk": project.pk},
        "projects:message_post": {"pk": project.pk},
        "projects:collective_create": {"pk": project.pk},
        "projects:collective_edit": {
            "pk": project.pk,
            "collective_pk": project.collectives.first().pk,
        },
        "projects:collective_delete": {
            "pk": project.pk,
            "collective_pk": project.collectives.first().pk,
        },
        "projects:attachment_upload": {"pk": project.pk},
        "projects:attachment": {"pk": project.pk, "attachment_pk": project.attachments.first().pk},
        "projects:attachment_delete": {
            "pk": project.pk,
            "attachment_pk": project.attachments.first().pk,
        },
        "projects:carrier_detail": {"pk": loire.carrier.pk},
        "projects:carrier_invite": {"pk": loire.carrier.pk},
        "projects:invitation_answer": {"membership_pk": invitation.pk},
        "projects:identity_change_request": {"pk": loire.carrier.pk},
        "projects:identity_change_decide": {"pk": identity_change.pk},
        "projects:campaign_edit": {"pk": project.campaign.pk},
        "projects:campaign_copy": {"pk": project.campaign.pk},
        "projects:campaign_archive": {"pk": project.campaign.pk},
        "projects:document_type_delete": {
            "pk": DocumentType.objects.filter(caf=loire.caf).first().pk
        },
        "funding:bareme_edit": {"year": 2026},
        "committee:session_detail": {"pk": session.pk},
        "committee:session_agenda": {"pk": session.pk},
        "committee:session_decide": {"pk": session.pk, "item_pk": session.items.get().pk},
        "committee:session_financer_decide": {
            "pk": session.pk,
            "item_pk": session.items.get().pk,
        },
        "committee:scheme_edit": {"pk": scheme.pk},
        "committee:session_close": {"pk": session.pk},
        "committee:session_members": {"pk": session.pk},
        "committee:session_attendance": {"pk": session.pk},
        "committee:session_people": {"pk": session.pk},
        "committee:partner_session": {"pk": session.pk},
        "committee:partner_project": {"pk": session.pk, "project_pk": project.pk},
        "committee:partner_edit": {"pk": organisation.pk},
        "committee:partner_activation": {"pk": organisation.pk},
        "committee:partner_invite": {"pk": organisation.pk},
        "committee:partner_account_toggle": {"pk": partner.partner_profile.pk},
        "committee:export_start": {"pk": session.pk},
        "committee:export_status": {"pk": session.pk, "job_pk": job.pk},
        "committee:export_download": {"pk": session.pk, "job_pk": job.pk},
        "declarations:open": {"pk": project.pk, "kind": "actual"},
        "declarations:edit": {"pk": forecast.pk},
        "declarations:check": {"pk": forecast.pk},
        "declarations:upload": {"pk": forecast.pk},
        "declarations:document": {"pk": forecast.pk, "document_pk": document.pk},
        "declarations:process": {"pk": forecast.pk},
        "declarations:justification": {
            "pk": forecast.pk,
            "justification_pk": justification.pk,
        },
        "declarations:justification_answer": {
            "pk": forecast.pk,
            "justification_pk": justification.pk,
        },
        "declarations:return": {"pk": forecast.pk},
        "declarations:validate": {"pk": validated.pk},
        "declarations:payment_export": {"fmt": "csv"},
        "declarations:payment_export_status": {"job_pk": payments_job.pk},
        "declarations:payment_export_download": {"job_pk": payments_job.pk},
        "audit_export_status": {"job_pk": audit_job.pk},
        "audit_export_download": {"job_pk": audit_job.pk},
        "declarations:payment_advance": {"payment_pk": payment.pk},
        "declarations:agreement": {"project_pk": project.pk},
        "declarations:recovery_settle": {
            "pk": Recovery.objects.create(
                project=project, origin="revision", amount=10, reason="Décision revue"
            ).pk
        },
        "password_reset_confirm": {"uidb64": "MQ", "token": "set-password"},
        "team_member": {"pk": loire.advisor.staff_profile.pk},
        "setup_caf_detail": {"pk": loire.caf.pk},
        "setup_caf_edit": {"pk": loire.caf.pk},
        "setup_caf_logo": {"pk": loire.caf.pk},
        "setup_caf_invite_admin": {"pk": loire.caf.pk},
        "setup_caf_admin_resend": {
            "pk": loire.caf.pk,
            "profile_pk": loire.caf_admin.staff_profile.pk,
        },
        "team_member_toggle": {"pk": loire.advisor.staff_profile.pk},
        "team_member_unlock": {"pk": loire.advisor.staff_profile.pk},
        "team_member_invite": {"pk": loire.advisor.staff_profile.pk},
        "team_member_reset_second_factor": {"pk": loire.advisor.staff_profile.pk},
        "projects:member_invite_resend": {
            "pk": loire.carrier.pk,
            "membership_pk": loire.carrier.memberships.first().pk,
        },
    }
    control = controls.record_control(
        project,
        by=loire.advisor,
        fields={
            "kind": "visit",
            "date": datetime.date(2026, 11, 2),
            "controller": loire.advisor,
            "result": "failed",
            "findings": "Registres absents",
            "follow_up": "Transmettre les registres",
        },
        checks=[{"label": "Registres de présence", "status": "not_ok"}],
    )
    in_year_bonus = InYearBonusRequest.objects.create(
        project=project, bonus="parents", collectives=1, description="Ateliers Pronote"
    )
    kwargs["committee:bonus_request_create"] = {"pk": project.pk}
    kwargs["committee:bonus_request_decide"] = {"pk": in_year_bonus.pk}
    checklist_item = ControlChecklistItem.objects.create(caf=loire.caf, label="Assurance")
    kwargs["declarations:control_checklist_item"] = {"pk": checklist_item.pk}
    kwargs["declarations:control_create"] = {"project_pk": project.pk}
    for name in ("detail", "edit", "follow_up_done", "consequence"):
        kwargs[f"declarations:control_{name}"] = {"pk": control.pk}
    convention = project.convention
    amendment = conventions.amend(
        convention.pk,
        by=loire.caf_admin,
        date=datetime.date(2026, 10, 20),
        reason="Deux ans",
        years=2,
    )
    convention.signed_copy = pdf_upload("signee.pdf")
    convention.save()
    for name in ("detail", "pdf", "signed_copy", "amend", "sign"):
        kwargs[f"projects:convention_{name}"] = {"pk": convention.pk}
    kwargs["projects:amendment_pdf"] = {"pk": amendment.pk}
    kwargs["projects:convention_year_start"] = {"line_pk": convention.lines.first().pk}
    kwargs["projects:adjustment_decide"] = {"pk": project.pk}
    for name in (
        "committee:review",
        "committee:review_start",
        "committee:review_request_changes",
        "committee:review_take_back",
        "committee:review_propose",
        "committee:review_bonus",
        "committee:review_note",
        "committee:review_other_financer",
    ):
        kwargs[name] = {"pk": project.pk}
    kwargs["committee:review_rural"] = {
        "pk": project.pk,
        "collective_pk": project.collectives.first().pk,
    }
    requesters = {
        "other_carrier": loire.other_carrier_user,
        "far_carrier": vosges.carrier_user,
        "far_advisor": vosges.advisor,
        "far_processor": vosges.processor,
        "far_committee": vosges.committee,
        "far_caf_admin": vosges.caf_admin,
    }
    requesters["national_admin"] = UserFactory(is_national_admin=True)
    requesters.update(
        carrier=loire.carrier_user,
        advisor=loire.advisor,
        processor=loire.processor,
        payer=loire.payer,
        committee=loire.committee,
        committee_not_member=staff_user(loire.caf, Role.COMMITTEE),
        caf_admin=loire.caf_admin,
        partner=partner,
        partner_not_member=partner_not_member,
    )
    return kwargs, requesters


def outcome(response):
    status = response.status_code
    if status == 302 and response["Location"].startswith(reverse("login")):
        return LOGIN
    if status in (200, 302):
        return OK
    return status


def test_every_url_has_an_entry():
    names = {name for name in url_names() if not name.startswith(SUPPORT_ADMIN_NAMESPACE)}
    missing = sorted(names - set(MATRIX))
    assert not missing, f"URL sans entrée dans la matrice d'autorisation : {missing}"


def test_authorization_matrix(client, world):
    kwargs, requesters = world
    checked = 0
    failures = []
    urls = {name: reverse(name, kwargs=kwargs.get(name, {})) for name in MATRIX}
    # One login per requester, not one per request: thousands of session rows written and
    # deleted in the test's one transaction made every later session lookup slow. A request that
    # ends the session (logout, password change) is rolled back with its savepoint; the cookie
    # the client then lost is put back, so the next request is the same person's again.
    for requester in REQUESTERS:
        client.logout()
        if requester != "anonymous":
            client.force_login(requesters[requester])
        cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
        session_key = cookie.value if cookie else None
        for name, (method, expected) in MATRIX.items():
            savepoint = transaction.savepoint()
            data = POST_DATA.get(name, {})
            data = data() if callable(data) else data
            url = urls[name]
            response = client.post(url, data) if method == "POST" else client.get(url)
            transaction.savepoint_rollback(savepoint)
            if session_key:
                client.cookies[settings.SESSION_COOKIE_NAME] = session_key
            else:
                client.cookies.pop(settings.SESSION_COOKIE_NAME, None)
            got = outcome(response)
            if got != expected[requester]:
                failures.append(
                    f"{name} {method} par {requester} : {got}, attendu {expected[requester]}"
                )
            checked += 1
    assert not failures, "\n".join(failures)
    assert checked == len(MATRIX) * len(REQUESTERS) > 1000
