"""Records of three demo clients, one of each kind, for the access matrix and the id-swap sweep."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from polymodal.core import waitlist
from polymodal.core.access import Actor
from polymodal.core.billing import invoices
from polymodal.core.billing.models import Charge
from polymodal.core.demo import DEMO_PASSWORD
from polymodal.core.models import CaseClient, Client, ConsentRecord, Guardian, SessionClient, User
from polymodal.core.services import assessments, cases, clients, consent, forms, notes, portal, privacy
from tests.web.api.helpers import template_of

OWNERS = {"jordan": ("Ellis", "Jordan", "rivera"), "tom": ("Becker", "Tom", "maya"),
          "sofia": ("Alvarez", "Sofia", "trainee")}
# Beyond the demo's teams: the trainee also sits on Jordan's care team, so the matrix meets a care-team member
# who is not a draft's author (drafts are their author's and a trainee's supervisor's until signed).
EXTRA_TEAM = {"jordan": "trainee"}


@pytest.fixture
def record_ids(web_practice, web_clock) -> dict[str, dict[str, str]]:
    """``{client: {path parameter: id}}``: what a URL of each kind names for that client."""
    ids: dict[str, dict[str, str]] = {}
    for name, (last, first, practitioner) in OWNERS.items():
        with web_practice.work(Actor.system("test")) as work:
            client = work.db.scalars(select(Client).where(Client.legal_last_name == last,
                                                          Client.legal_first_name == first)).one()
            author = work.db.scalars(select(User).where(User.username == practitioner)).one()
            case_id = work.db.scalars(select(CaseClient.case_id).where(CaseClient.client_id == client.id)).first()
            session_id = work.db.scalars(select(SessionClient.session_id)
                                         .where(SessionClient.client_id == client.id)).first()
            guardian = work.db.scalars(select(Guardian).where(Guardian.client_id == client.id)).first()
            if name in EXTRA_TEAM:
                extra = work.db.scalars(select(User).where(User.username == EXTRA_TEAM[name])).one()
                clients.join_care_team(work, client.id, extra.id)
        actor = Actor.of(author)
        with web_practice.work(actor) as work:
            template = template_of(work, actor)
            note = notes.start_note(work, case_id, template.key)
            goal = cases.add_goal(work, case_id, "Sleep through the night")
            instrument = work.registry.assessments.get("talk/phq-9")
            result = assessments.record_assessment(work, client.id, instrument.key,
                                                   {i.key: instrument.options_for(i)[0].value for i in instrument.items})
            form = work.registry.forms.get("talk/intake")
            response = forms.submit_form(work, client.id, form.key, _minimal_answers(form)) if form else None
        with web_practice.work(Actor.system("test")) as work:
            record = work.db.scalars(select(ConsentRecord).where(ConsentRecord.client_id == client.id)).first()
            if record is None:
                record = consent.record_consent(work, client.id, "talk/informed-consent",
                                                signer_name=f"{first} {last}")
            packet = portal.prepare_packet(work, client.id, ["talk/psychotherapy"])
            link, _token = portal.issue_link(work, packet.id)
            fee = Charge(client_id=client.id, kind="fee", description="Report", price_minor=2500, currency="USD")
            work.db.add(fee)
            work.db.flush()
            invoice = invoices.issue_invoice(work, client.id, [fee.id])
            admin = work.db.scalars(select(User).where(User.username == "admin")).one()
            waiting = waitlist.add_entry(work, {"client_id": client.id, "modality_key": "talk/psychotherapy"})
        with web_practice.work(Actor.of(admin)) as work:
            grant = privacy.break_glass(work, client.id, "matrix fixture: expired at once", DEMO_PASSWORD, 5)
        ids[name] = {
            "client_id": str(client.id), "case_id": str(case_id), "session_id": str(session_id),
            "note_id": str(note.id), "goal_id": str(goal.id), "result_id": str(result.id),
            "assessment_id": str(result.id), "response_id": str(response.id) if response else "",
            "consent_id": str(record.id), "packet_id": str(packet.id), "link_id": str(link.id),
            "guardian_id": str(guardian.id) if guardian else "", "grant_id": str(grant.id),
            "user_id": str(author.id), "invoice_id": str(invoice.id),
            "entry_id": str(waiting.id),
        }
        ids[name] = {k: v for k, v in ids[name].items() if v}
    web_clock.advance(minutes=10)  # the fixture's emergency grants have expired: no one gains access by them
    return ids


def _minimal_answers(form) -> dict:
    """The smallest valid answers: the first option, 'no', or a word, for each required field."""
    answers = {}
    for field in form.fields:
        if not field.required:
            continue
        kind = field.type.value
        answers[field.key] = {
            "yes_no": "no", "single_choice": field.options[0].value if field.options else "",
            "multi_choice": [field.options[0].value] if field.options else [],
            "scale": int(field.min or 0), "number": field.min or 0, "date": "2026-01-01",
        }.get(kind, "n/a")
    return answers
