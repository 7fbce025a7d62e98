"""A demo center: staff of every role, clients (a couple, a minor), cases and a week of sessions."""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import select

from polymodal.core.access import Actor
from polymodal.core.models import Center, User
from polymodal.core.practice import Practice
from polymodal.core.services import cases, center, clients, scheduling, users
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
]
DISCIPLINE_FAMILY = {"psychotherapy": "talk", "massage": "somatic", "breathwork": "breath", "art-therapy": "creative"}

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
        center.setup_center(work, {"name": "Riverside Integrative Health", "timezone": "America/Los_Angeles",
                                   "jurisdiction": "US-CA", "age_of_majority": 18, "minor_consent_age": 12})
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
                                                 "date_of_birth": dob, "email": f"{first.lower()}@example.org"})
                  for first, last, pref, pron, dob in CLIENTS]
        clients.add_guardian(work, people[3].id, {"name": "Lucia Alvarez", "relationship": "mother",
                                                  "email": "lucia@example.org"})
        _cases_and_sessions(work, practice, staff, people, rooms)
    return True


def _cases_and_sessions(work, practice, staff, people, rooms) -> None:
    by_family = {}
    for modality in practice.registry.modalities:
        by_family.setdefault(modality.family.value, modality)
    plan = [
        ("Jordan: anxiety", "individual", [0], "rivera", "talk"),
        ("Natarajan couple", "couple", [1, 2], "rivera", "talk"),
        ("Sofia: school stress", "individual", [3], "trainee", "talk"),
        ("Tom: low back", "individual", [4], "maya", "somatic"),
        ("Hana: breath", "individual", [5], "leo", "breath"),
        ("Ravi: art", "individual", [6], "ari", "creative"),
        ("Elena: integration", "individual", [7], "trainee", "talk"),
    ]
    rng = random.Random(7)
    monday = today_in(work.center.timezone, work.now)
    monday -= dt.timedelta(days=monday.weekday())
    for index, (title, kind, who, practitioner, family) in enumerate(plan):
        case = cases.open_case(work, title=title, kind=kind, client_ids=[people[i].id for i in who],
                               practitioner_ids=[staff[practitioner].id])
        modality = by_family.get(family)
        if modality is None or kind not in {f.value for f in modality.formats}:
            continue
        day = monday + dt.timedelta(days=index % 5)
        start = dt.datetime.combine(day, dt.time(9 + rng.randrange(0, 8)))
        scheduling.schedule_session(work, {"case_id": case.id, "modality_key": modality.key, "format": kind,
                                           "starts_at": start, "minutes": 50, "room_id": rooms[index % 3].id,
                                           "weeks": 4})


def demo_logins() -> list[tuple[str, str, str]]:
    return [(username, ", ".join(roles), DEMO_PASSWORD) for username, _n, roles, _d, _s in STAFF]
