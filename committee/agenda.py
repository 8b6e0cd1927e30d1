"""The agenda items of the committee session page, written by Python (issue 21).

A page of 25 items, each with the committee's decision form and a financer's form, cost its
template engine about three quarters of the page's CPU (a node per value, a lookup per dotted
name). The markup is the one the template wrote (tests/test_session_page.py reads the page);
the form fields are includes/field.html's (`clasportal.field_blocks.field_block`)."""

from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils.html import conditional_escape as e
from django.utils.safestring import mark_safe

from clasportal.lists import cell_html as _n
from clasportal.templatetags.clas import euros, field_block


def _decision_badge(decision):
    if decision is None:
        return '<span class="badge status-proposed">à décider</span>'
    badge = (
        f'<span class="badge status-{e(decision.outcome)}">'
        f"{e(decision.get_outcome_display())}</span> "
    )
    if decision.outcome == "approved":
        retained = decision.collectives_retained
        badge += (
            f"{_n(retained)} collectif{pluralize(retained)} retenu{pluralize(retained)}, "
            f"PS {e(euros(decision.forecast_ps))}, bonus {e(euros(decision.forecast_bonus))}"
        )
    return badge


def _summary(item):
    project = item.project
    count = item.collectives_count
    opinion = {"approval": "favorable", "refusal": "défavorable"}.get(project.proposal, "—")
    reason = f" — « {e(project.proposal_reason)} »" if project.proposal_reason else ""
    return (
        f"{e(project.carrier.commune.name)} · {_n(count)} collectif{pluralize(count)} "
        f"demandé{pluralize(count)}, {_n(item.children or 0)} enfants · avis du conseiller : "
        f"{opinion}{reason}"
    )


def _errors(form):
    return "".join(
        f'<div class="col-12 text-danger">{e(error)}</div>' for error in form.non_field_errors()
    )


def _decision_form(row, session, csrf):
    form, item = row["form"], row["item"]
    action = reverse("committee:session_decide", args=[session.pk, item.pk])
    return (
        f'\n  <form method="post" action="{e(action)}" novalidate class="row g-2 '
        f'align-items-end">{csrf}\n    {_errors(form)}\n'
        f'    <div class="col-lg-4">{field_block(form["outcome"])}</div>\n'
        f'    <div class="col-lg-2">{field_block(form["collectives"])}</div>\n'
        f'    <div class="col-lg-2">{field_block(form["bonus_children"])}'
        f"{field_block(form['bonus_parents'])}</div>\n"
        f'    <div class="col-lg-3">{field_block(form["reason"])}</div>\n'
        '    <div class="col-lg-1 mb-3"><button type="submit" class="btn btn-primary">'
        f"{'Revoir' if row['decision'] else 'Décider'}</button></div>\n  </form>\n  "
    )


def _asked(requests):
    if not requests:
        return ""
    asked = " ; ".join(
        f"{e(a.scheme.partner.name)} — {e(a.scheme.name)} {e(euros(a.amount))}"
        + (f" ({_n(a.collectives)} collectif{pluralize(a.collectives)})" if a.collectives else "")
        for a in requests
    )
    return f'<p class="small mb-1">Demandé : {asked}</p>'


def _decided(decisions):
    if not decisions:
        return ""
    lines = "".join(
        f"<li>{e(d.partner.name)}"
        + (f" — {e(d.scheme.name)}" if d.scheme else "")
        + " : "
        + (f"accordé {e(euros(d.amount))}" if d.outcome == "granted" else "refusé")
        + (f" — {e(d.note)}" if d.note else "")
        + "</li>"
        for d in decisions
    )
    return f'<ul class="small mb-1">{lines}</ul>'


def _financer_form(row, session, page, csrf):
    form, item = row["financer_form"], row["item"]
    action = reverse("committee:session_financer_decide", args=[session.pk, item.pk])
    return (
        f'\n    <form method="post" action="{e(action)}" novalidate class="row g-2 '
        f'align-items-start">{csrf}<input type="hidden" name="page" value="{_n(page.number)}">'
        f"\n      {_errors(form)}\n"
        f'      <div class="col-lg-4">{field_block(form["funding"])}</div>\n'
        f'      <div class="col-lg-2">{field_block(form["outcome"])}</div>\n'
        f'      <div class="col-lg-2">{field_block(form["amount"])}</div>\n'
        f'      <div class="col-lg-2">{field_block(form["note"])}</div>\n'
        '      <div class="col-lg-2 mb-3 pt-lg-4"><button type="submit" '
        'class="btn btn-outline-primary mt-lg-2">Enregistrer</button></div>\n    </form>\n    '
    )


def _financers(row, session, page, csrf):
    if not (row["asked"] or row["financers"] or row["financer_form"]):
        return ""
    form = _financer_form(row, session, page, csrf) if row["financer_form"] else ""
    return (
        '\n  <div class="border-top mt-2 pt-2">\n    <h4 class="h6">Autres financeurs</h4>\n'
        f"    {_asked(row['asked'])}\n    {_decided(row['financers'])}\n    {form}\n  </div>\n  "
    )


def agenda_html(rows, *, session, page, can_decide, csrf_token):
    """The page's agenda items (`rows` as session_detail builds them), or the empty agenda."""
    if not rows:
        return mark_safe("<p>L'ordre du jour est vide.</p>")
    csrf = f'<input type="hidden" name="csrfmiddlewaretoken" value="{e(csrf_token)}">'
    articles = []
    for row in rows:
        item = row["item"]
        project = item.project
        review = reverse("committee:review", args=[project.pk])
        decide = _decision_form(row, session, csrf) if can_decide else ""
        articles.append(
            f'\n<article class="bg-white rounded p-3 mb-2" aria-labelledby="item-{item.pk}">\n'
            '  <div class="d-flex flex-wrap justify-content-between">\n'
            f'    <h3 class="h6 mb-1" id="item-{item.pk}"><a href="{e(review)}">'
            f"{e(project.title)}</a> — {e(project.carrier.legal_name)}</h3>\n"
            f"    <span>{_decision_badge(row['decision'])}</span>\n  </div>\n"
            f'  <p class="small text-body-secondary mb-2">{_summary(item)}</p>\n'
            f"  {decide}\n  {_financers(row, session, page, csrf)}\n</article>\n"
        )
    return mark_safe("".join(articles))  # noqa: S308 - every value above is escaped
