"""The portal on its real stack, over HTTP as people use it, with faults injected (make stack-test).

A carrier deposits a request with attachments (stored in S3, receipt e-mailed by the worker); the
Caf exports the agrément PDF while its worker is killed, the XLSX after a PostgreSQL restart, and
sends the committee's letters while Redis is down; then the object store goes away. Each fault is
logged on one line (``FAULT …``) with what survived it. The tests run in this order and share one
stack: each one starts from what the previous ones left."""

import re
import time

import pytest
import requests

from .conftest import PASSWORD, log, wait_for

pytestmark = pytest.mark.stack

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 0/Kids[]>>"
    b"endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
CARRIER = "porteur@demo.clas.fr"
CARRIERS = (CARRIER, "porteur2@demo.clas.fr", "porteur-vosges@demo.clas.fr")
CAF_ADMIN = "admin@demo.clas.fr"
state = {}
CONFIRM = re.compile(r'<input type="hidden" name="confirm" value="1"')


class Browser:
    """A person's session: cookies, the CSRF token in every form post, redirects followed."""

    def __init__(self, stack, username):
        self.base = stack.base_url
        self.http = requests.Session()
        self.get("/connexion/")
        page = self.post("/connexion/", {"username": username, "password": PASSWORD})
        assert page.status_code == 200 and "/connexion/" not in page.url, page.text[:500]

    def get(self, path, **kwargs):
        return self.http.get(self.base + path, timeout=60, **kwargs)

    def post(self, path, data=None, **kwargs):
        data = {**(data or {}), "csrfmiddlewaretoken": self.http.cookies["csrftoken"]}
        response = self.http.post(self.base + path, data=data, timeout=120, **kwargs)
        if "files" not in kwargs and "confirm" not in data and CONFIRM.search(response.text):
            # A confirmation step (« Relisez ce qui va se passer… »): the person confirms.
            data["confirm"] = "1"
            response = self.http.post(self.base + path, data=data, timeout=120, **kwargs)
        return response


def drafts(stack):
    """(carrier account, draft project) for every draft of the demo carriers."""
    return stack.sql(
        "SELECT DISTINCT u.email, p.id FROM projects_project p "
        "JOIN projects_carriermembership m ON m.carrier_id = p.carrier_id "
        "JOIN clasportal_user u ON u.id = m.user_id "
        "WHERE u.email IN %s AND p.status = 'draft' ORDER BY p.id",
        CARRIERS,
    )


def text_of(page):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.text))[:3000]


def messages_of(page):
    return re.findall(r'class="alert[^"]*"[^>]*>\s*(.*?)\s*<', page.text, re.S)


def upload_every_piece(browser, project_id):
    page = browser.get(f"/projets/{project_id}/demande/pieces/")
    assert page.status_code == 200
    select = re.search(r'<select name="document_type".*?</select>', page.text, re.S)
    assert select, "pas de liste des pièces"
    kinds = [v for v in re.findall(r'<option value="(\d+)"', select.group(0))]
    for index, kind in enumerate(kinds):
        response = browser.post(
            f"/projets/{project_id}/pieces/",
            {"document_type": kind},
            files={"file": (f"piece-{index}.pdf", PDF, "application/pdf")},
        )
        assert response.status_code == 200 and "ajouté" in response.text, messages_of(response)
    return len(kinds)


def wait_for_mail(stack, subject_part, recipient, *, count=1, timeout=60):
    def matching():
        return [
            mail
            for mail in stack.mails()
            if subject_part in mail[0] and recipient.lower() in mail[1]
        ]

    wait_for(lambda: len(matching()) >= count, timeout=timeout, what=f"e-mail « {subject_part} »")
    return matching()


def job_row(stack, job_id):
    return stack.sql(
        "SELECT status, progress, file FROM committee_exportjob WHERE id = %s", job_id
    )[0]


def start_export(browser, session_id, kind):
    response = browser.post(f"/comite/comites/{session_id}/exports/", {"kind": kind})
    assert response.status_code == 200, response.text[:500]
    match = re.search(rf"/comite/comites/{session_id}/exports/(\d+)/", response.url)
    assert match, f"pas de page de suivi : {response.url} {messages_of(response)}"
    return int(match.group(1))


def poll_until_done(browser, stack, session_id, job_id, timeout=180):
    """As the status page does (htmx, every second), until the job is ready."""
    url = f"/comite/comites/{session_id}/exports/{job_id}/"

    def done():
        page = browser.get(url, headers={"HX-Request": "true"})
        return page.status_code == 200 and job_row(stack, job_id)[0] == "done"

    wait_for(done, timeout=timeout, what=f"export {job_id}", interval=1)
    return browser.get(f"{url}fichier/")


def test_carrier_deposits_with_attachments(stack):
    assert requests.get(stack.base_url + "/healthz", timeout=10).status_code == 200
    browser = Browser(stack, CARRIER)
    project_id = next(pk for email, pk in drafts(stack) if email == CARRIER)
    refused_upload_while_the_object_store_is_down(stack, browser, project_id)
    uploaded = upload_every_piece(browser, project_id)
    keys = stack.s3_keys("attachments/")
    assert len(keys) >= uploaded, keys
    # The Caf's attestations, ticked as the recap page lists them, and the signatory.
    recap = browser.get(f"/projets/{project_id}/demande/recapitulatif/").text
    attestations = {name: "1" for name in re.findall(r'name="(engagement_\d+)"', recap)}
    page = browser.post(
        f"/projets/{project_id}/deposer/", {**attestations, "engaged_as": "La présidente"}
    )
    assert "Votre demande est déposée" in page.text, (page.status_code, page.url, text_of(page))
    receipt = browser.get(f"/projets/{project_id}/recepisse/")
    assert receipt.status_code == 200 and receipt.content.startswith(b"%PDF")
    assert [k for k in stack.s3_keys("receipts/") if f"recepisse-{project_id}-" in k]
    wait_for(
        lambda: [
            m for m in stack.mails() if any(f"recepisse-{project_id}-" in (n or "") for n in m[2])
        ],
        timeout=60,
        what="récépissé envoyé",
    )
    mails = wait_for_mail(stack, "", CARRIER)
    receipt_mails = [m for m in mails if any(f"recepisse-{project_id}-" in (n or "") for n in m[2])]
    assert receipt_mails, mails
    attachment = stack.sql(
        "SELECT id FROM projects_attachment WHERE project_id = %s ORDER BY id LIMIT 1", project_id
    )[0][0]
    download = browser.get(f"/projets/{project_id}/pieces/{attachment}/")
    assert download.content == PDF
    state["deposited"], state["attachment"] = project_id, attachment
    log(
        f"dépôt : {uploaded} pièces dans S3, demande {project_id} déposée, récépissé dans S3 et "
        f"envoyé par le worker ({receipt_mails[0][0]!r} reçu par le serveur SMTP)"
    )


def sessions(stack):
    rows = stack.sql(
        "SELECT s.id, s.status FROM committee_committeesession s "
        "JOIN clasportal_caf c ON c.id = s.caf_id WHERE c.name ILIKE %s ORDER BY s.date",
        "%loire%",
    )
    return {status: pk for pk, status in rows}


def test_agrement_pdf_survives_a_killed_worker(stack):
    browser = Browser(stack, CAF_ADMIN)
    session_id = sessions(stack)["open"]
    stack.pause_file.touch()
    job_id = start_export(browser, session_id, "agrement_pdf")
    wait_for(
        lambda: job_row(stack, job_id)[:2] == ("running", 30), timeout=60, what="export en cours"
    )
    stack.stop("worker", sig=__import__("signal").SIGKILL)
    log(f"FAULT worker tué (SIGKILL) au milieu de l'export {job_id} (en cours, 30 %)")
    stack.pause_file.unlink()
    stack.start_worker()
    started = time.monotonic()
    download = poll_until_done(browser, stack, session_id, job_id)
    assert download.status_code == 200 and download.content.startswith(b"%PDF")
    assert stack.sql(
        "SELECT count(*) FROM committee_exportjob WHERE session_id = %s AND kind = 'agrement_pdf'",
        session_id,
    ) == [(1,)]
    files = [k for k in stack.s3_keys("exports/") if "/agrement-" in k and k.endswith(".pdf")]
    assert len(files) == 1, files
    log(
        f"FAULT survécu : tâche rendue par Redis et reprise par le nouveau worker en "
        f"{time.monotonic() - started:.0f} s, export {job_id} terminé une fois (1 fichier PDF)"
    )
    state["open_session"] = session_id


def test_pages_and_exports_answer_after_a_postgresql_restart(stack):
    browser = Browser(stack, CAF_ADMIN)
    assert browser.get("/projets/").status_code == 200
    stack.restart_postgres()
    log(
        "FAULT PostgreSQL redémarré (pg_ctl restart -m fast), gunicorn et worker laissés tels quels"
    )
    # Both gunicorn workers held a connection that is now closed: each request checks it.
    answers = [browser.get("/projets/").status_code for _ in range(6)]
    assert answers == [200] * 6, answers
    job_id = start_export(browser, state["open_session"], "agrement_xlsx")
    download = poll_until_done(browser, stack, state["open_session"], job_id)
    assert download.content[:2] == b"PK"
    log(f"FAULT survécu : 6 pages sur 6 servies, export XLSX {job_id} fait par le même worker")


def test_letters_survive_redis_stopped_during_the_export(stack):
    browser = Browser(stack, CAF_ADMIN)
    session_id = sessions(stack)["closed"]
    carriers = stack.sql(
        "SELECT count(DISTINCT p.carrier_id) FROM committee_agendaitem i "
        "JOIN projects_project p ON p.id = i.project_id "
        "JOIN projects_carriermembership m ON m.carrier_id = p.carrier_id "
        "WHERE i.session_id = %s",
        session_id,
    )[0][0]
    assert carriers, "pas de porteur à notifier"

    def letters():
        return [m for m in stack.mails() if "Décision du comité" in m[0]]

    before = len(letters())
    stack.pause_file.touch()
    job_id = start_export(browser, session_id, "letters")
    wait_for(
        lambda: job_row(stack, job_id)[:2] == ("running", 30), timeout=60, what="lettres en cours"
    )
    stack.stop("redis")
    log(f"FAULT Redis arrêté pendant l'export des lettres {job_id} (en cours, 30 %)")
    pages_answer_without_redis(stack)
    stack.pause_file.unlink()
    wait_for(lambda: job_row(stack, job_id)[0] == "done", timeout=60, what="lettres faites")
    pending = stack.sql(
        "SELECT count(*) FROM clasportal_outboundemail WHERE attachment LIKE %s "
        "AND status = 'pending'",
        f"%-j{job_id}.pdf",
    )[0][0]
    log(f"lettres faites sans Redis : {pending} e-mail(s) en attente dans la boîte d'envoi")
    time.sleep(2)
    stack.start_redis()
    log("Redis redémarré (fichier append-only : files et tâches non acquittées conservées)")
    wait_for(
        lambda: (
            stack.sql(
                "SELECT count(*) FROM clasportal_outboundemail WHERE attachment LIKE %s "
                "AND status = 'sent'",
                f"%-j{job_id}.pdf",
            )[0][0]
            == carriers
        ),
        timeout=120,
        what="lettres envoyées",
        interval=1,
    )
    # The unacknowledged export comes back after the visibility timeout: it must not run again.
    time.sleep(15)
    received = letters()
    assert len(received) - before == carriers, received
    assert len(set(received)) == len(received), "une lettre envoyée deux fois"
    assert stack.sql(
        "SELECT status FROM committee_exportjob WHERE session_id = %s AND kind = 'letters'",
        session_id,
    ) == [("done",)]
    assert (
        stack.sql(
            "SELECT count(*) FROM clasportal_outboundemail WHERE attachment LIKE %s",
            f"%-j{job_id}.pdf",
        )[0][0]
        == carriers
    )
    download = browser.get(f"/comite/comites/{session_id}/exports/{job_id}/fichier/")
    assert download.content.startswith(b"%PDF")
    log(
        f"FAULT survécu : export {job_id} terminé une fois, {carriers} lettre(s) reçue(s) "
        f"une fois chacune par le serveur SMTP, aucune perdue"
    )


def pages_answer_without_redis(stack):
    """Redis carries the cache and the broker: with it stopped, people still log in and read."""
    started = time.monotonic()
    slowest = 0.0
    carrier = Browser(stack, CARRIER)  # the login's rate limit counts in the cache
    staff = Browser(stack, CAF_ADMIN)
    paths = [(carrier, "/"), (carrier, "/projets/"), (staff, "/"), (staff, "/projets/")]
    for browser, path in paths:
        began = time.monotonic()
        page = browser.get(path)
        slowest = max(slowest, time.monotonic() - began)
        assert page.status_code == 200, (path, page.status_code, text_of(page)[:300])
    log(
        f"FAULT survécu : Redis arrêté, 2 connexions et {len(paths)} pages servies en "
        f"{time.monotonic() - started:.1f} s (la plus lente {slowest:.2f} s)"
    )


def refused_upload_while_the_object_store_is_down(stack, browser, project_id):
    count = "SELECT count(*) FROM projects_attachment WHERE project_id = %s"
    before = stack.sql(count, project_id)[0][0]
    page = browser.get(f"/projets/{project_id}/demande/pieces/")
    kind = re.search(r'<select name="document_type".*?<option value="(\d+)"', page.text, re.S)
    stack.stop("s3")
    log("FAULT stockage objet (S3) arrêté pendant qu'un porteur joint une pièce")
    started = time.monotonic()
    response = browser.post(
        f"/projets/{project_id}/pieces/",
        {"document_type": kind.group(1)},
        files={"file": ("rib.pdf", PDF, "application/pdf")},
    )
    elapsed = time.monotonic() - started
    assert response.status_code == 200
    assert "Le stockage des documents est momentanément indisponible" in response.text
    assert stack.sql(count, project_id)[0][0] == before
    stack.start_s3()
    stack.s3().create_bucket(Bucket=stack.bucket)
    log(
        f"FAULT survécu : pièce refusée en {elapsed:.1f} s avec un message en français, aucune "
        f"ligne écrite ({before} pièce(s) avant et après) ; S3 relancé"
    )


def test_downloads_say_so_when_the_object_store_is_down(stack):
    browser = Browser(stack, CARRIER)
    stack.stop("s3")
    log("FAULT stockage objet (S3) arrêté pendant qu'un porteur télécharge une pièce")
    download = browser.get(f"/projets/{state['deposited']}/pieces/{state['attachment']}/")
    assert download.status_code == 503 and "ne peut pas être téléchargé" in download.text
    assert browser.get("/projets/").status_code == 200
    assert browser.get(f"/projets/{state['deposited']}/").status_code == 200
    log("FAULT survécu : téléchargement en 503 avec un message en français, pages servies")
