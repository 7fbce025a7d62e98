"""A demo center: staff of every role, clients (a couple, a minor), cases and a week of sessions."""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import select

from polymodal.core.access import Actor
from polymodal.core.billing import fees
from polymodal.core.models import Center, User
from polymodal.core.practice import Practice
from polymodal.core.services import cases, center, clients, consent, scheduling, users
from polymodal.core.timeutil import today_in

DEMO_PASSWORD = "polymodal-demo-2026"

STAFF = [
    ("admin", "Alex Admin", ["admin"], [], None),
    ("frontdesk", "Fran Desk", ["front_desk"], [], None),
    ("rivera", "Dr. Dana Rivera", ["practitioner", "supervisor"], ["psychotherapy"], None),
    ("trainee", "Sam Okafor (associate)", ["practitioner"], ["psychotherapy"], "rivera"),
    ("maya", "Maya Chen, LMT", ["practitioner"], ["massage"], None),
    ("leo", "Leo Brandt", ["practitioner"], ["breathwork"], None),
    ("ari", "Ari Vance, ATR-BC", ["practitioner"], ["art-therapy"], None),
    ("billing", "Bo Ledger", ["biller"], [], None),
]
DISCIPLINE_FAMILY = {"psychotherapy": "talk", "massage": "somatic", "breathwork": "breath",
                     "art-therapy": "creative"}

CLIENTS = [
    ("Jordan", "Ellis", "", "they/them", "1988-04-12"),
    ("Priya", "Natarajan", "", "she/her", "1979-09-30"),
    ("Marcus", "Natarajan", "", "he/him", "1977-02-14"),
    ("Sofia", "Alvarez", "Sofi", "she/her", "2014-06-01"),
    ("Tom", "Becker", "", "he/him", "1965-11-23"),
    ("Hana", "Sato", "", "she/her", "1992-03-08"),
    ("Ravi", "Kapoor", "", "he/him", "1985-07-19"),
    ("Elena", "Moreau", "", "she/her", "1990-12-02"),
]


def load_demo(practice: Practice) -> bool:
    """Create the demo center unless a center exists; returns True if it created one."""
    system = Actor.system("demo")
    with practice.work(system) as work:
        if work.db.scalars(select(Center).limit(1)).first() is not None:
            return False
        the_center = center.setup_center(work, {"name": "Riverside Integrative Health",
                                                "timezone": "America/Los_Angeles", "jurisdiction": "US-CA",
                                                "age_of_majority": 18, "minor_consent_age": 12})
        # A guardian signs for a young child; the portal then also asks for the child's own assent.
        the_center.settings = {**the_center.settings, "minor_assent": True}
        rooms = [center.add_room(work, "Main house", name) for name in ("Willow", "Cedar", "Studio")]
        staff: dict[str, User] = {}
        for username, name, roles, disciplines, supervisor in STAFF:
            modalities = [m.key for m in practice.registry.modalities
                          if m.family.value in {DISCIPLINE_FAMILY[d] for d in disciplines}]
            staff[username] = users.create_user(work, {
                "username": username, "display_name": name, "password": DEMO_PASSWORD, "roles": roles,
                "disciplines": disciplines, "modalities": modalities, "supervisor": supervisor})
        people = [clients.register_client(work, {"legal_first_name": first, "legal_last_name": last,
                                                 "preferred_name": pref, "pronouns": pron,
                                                 "date_of_birth": dob, "email": f"{first.lower()}@example.org",
                                                 "phone": f"+1 (415) 555-01{n:02d}"})
                  for n, (first, last, pref, pron, dob) in enumerate(CLIENTS)]
        clients.add_guardian(work, people[3].id, {"name": "Lucia Alvarez", "relationship": "mother",
                                                  "email": "lucia@example.org"})
        _fees(work, practice)
        _cases_and_sessions(work, practice, staff, people, rooms)
    return True


FEES = [
    # modality, format, minutes, name, price in cents, sliding-scale tiers
    ("talk/psychotherapy", "individual", 50, "Psychotherapy, 50 minutes", 16000, []),
    ("talk/couple-therapy", "couple", 50, "Couple therapy, 50 minutes", 19000, []),
    ("talk/psychedelic-integration", "individual", 50, "Integration session, 50 minutes", 17000, []),
    ("bodywork/massage", "individual", 50, "Massage, 50 minutes", 12000, []),
    ("breathwork/breathwork", "individual", 50, "Breathwork, 50 minutes", 9500, []),
    ("breathwork/gentle", "individual", 50, "Gentle breathwork, 50 minutes", 8500, []),
    ("arts/art-therapy", "individual", 50, "Art therapy, 50 minutes", 13000,
     [{"name": "Community", "price_minor": 7000}]),
]


def _fees(work, practice) -> None:
    """Prices before bookings, so the demo's sessions carry their fees (demo figures, not advice)."""
    fees.update_settings(work, {"tax_id": "00-0000000", "late_cancel_fee_minor": 6000, "no_show_fee_minor": 8000,
                                "address": "12 River Road, Los Angeles, CA"})
    for key, kind, minutes, name, price, tiers in FEES:
        if key in practice.registry.modalities:
            fees.add_service(work, {"name": name, "modality_key": key, "format": kind, "minutes": minutes,
                                    "price_minor": price, "tiers": tiers})


PLAN = [
    # title, kind, client indexes, practitioner, modality, consents signed
    ("Jordan: anxiety", "individual", [0], "rivera", "talk/psychotherapy", ["talk/informed-consent"]),
    ("Natarajan couple", "couple", [1, 2], "rivera", "talk/couple-therapy",
     ["talk/informed-consent", "talk/couple-no-secrets"]),
    ("Sofia: school stress", "individual", [3], "trainee", "talk/psychotherapy", ["talk/informed-consent"]),
    ("Tom: low back", "individual", [4], "maya", "bodywork/massage", []),
    ("Hana: breath", "individual", [5], "leo", "breathwork/breathwork", []),
    ("Ravi: art", "individual", [6], "ari", "arts/art-therapy", []),
    ("Elena: integration", "individual", [7], "trainee", "talk/psychedelic-integration", ["talk/informed-consent"]),
]
CREDENTIALS = [("rivera", "LMFT", "US-CA"), ("trainee", "AMFT", "US-CA"), ("maya", "CAMTC-CMT", "US-CA"),
               ("ari", "ATR-BC", "US")]


def _cases_and_sessions(work, practice, staff, people, rooms) -> None:
    """Four weekly sessions per case, the first ones today and in the next two days.

    Consents are signed for some clients only, so the pre-flight shows both
    a ready session and one blocked by a missing consent.
    """
    for username, kind, jurisdiction in CREDENTIALS:
        users.add_credential(work, staff[username].id, kind, f"{kind}-{1000 + len(username)}", jurisdiction, None)
    rng = random.Random(7)
    today = today_in(work.center.timezone, work.now)
    for index, (title, kind, who, practitioner, modality_key, signed) in enumerate(PLAN):
        if modality_key not in practice.registry.modalities:
            continue  # that plugin is disabled here
        case = cases.open_case(work, title=title, kind=kind, client_ids=[people[i].id for i in who],
                               practitioner_ids=[staff[practitioner].id])
        for person in (people[i] for i in who):
            for key in signed:
                _sign(work, person, key)
        start = dt.datetime.combine(today + dt.timedelta(days=index % 3), dt.time(9 + index + rng.randrange(0, 2)))
        scheduling.schedule_session(work, {"case_id": case.id, "modality_key": modality_key, "format": kind,
                                           "starts_at": start, "minutes": 50, "room_id": rooms[index % 3].id,
                                           "weeks": 4})


def _sign(work, person, key) -> None:
    if key not in work.registry.consent_documents:
        return
    guardian = person.guardians[0] if clients.is_minor(work, person) and person.guardians else None
    consent.record_consent(work, person.id, key, method="in_person",
                           signer_name=guardian.name if guardian else f"{person.legal_first_name} {person.legal_last_name}",
                           capacity="guardian" if guardian else "self", guardian_id=guardian.id if guardian else None)


def demo_logins() -> list[tuple[str, str, str]]:
    return [(username, ", ".join(roles), DEMO_PASSWORD) for username, _n, roles, _d, _s in STAFF]
