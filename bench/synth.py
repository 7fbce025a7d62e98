"""Built-in word lists and the in-memory plan of a synthetic center (staff, clients, cases).

Everything here is pure Python driven by one ``random.Random``, so a seed always
gives the same center; ``generate.py`` turns the plan into rows.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass, field

FIRST = ("James Mary Michael Patricia Robert Jennifer John Linda David Elizabeth William Barbara Richard Susan "
         "Joseph Jessica Thomas Sarah Christopher Karen Daniel Lisa Matthew Nancy Anthony Sandra Mark Betty "
         "Donald Ashley Steven Emily Andrew Kimberly Joshua Michelle Kevin Amanda Brian Melissa Ryan Stephanie "
         "Jacob Rebecca Nicholas Laura Eric Amy Jonathan Angela Luis Maria Carlos Sofia Diego Camila Jose "
         "Valentina Mateo Lucia Wei Mei Hiroshi Yuki Priya Arjun Aisha Omar Fatima Noah Olivia Liam Emma "
         "Ethan Ava Mason Mia Lucas Harper Jordan Riley Avery Quinn Rowan Sage Kai Nia Elena Tomas Ines Hana "
         "Minh Linh Ravi Anika Dmitri Olga Kofi Ama Tariq Leila Sven Freya").split()
# Frequent names first, with a gentle Zipf-like weight: about 2.5 % Smith and 3 % of keys in 'sm'..'sn'
# (steeper weights over so short a list made 'sm' match 14 % of clients; in the US it is about 1 %).
LAST = ("Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez "
        "Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark "
        "Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams "
        "Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Kim Chen Patel Shah Singh Wong Tran Park "
        "Smalls Snow Sato Tanaka Kapoor Natarajan Okafor Mensah Haddad Cohen Levi Novak Kowalski "
        "Schmidt Becker Moreau Dubois Rossi Bianchi Silva Santos Costa Alvarez Castillo Ortiz Morales Reyes "
        "Ellis Brandt Vance Okonkwo Abara Lindqvist Berg Olsen Murphy Kelly Sullivan OBrien Byrne").split()
LAST_WEIGHTS = [1 / (rank + 1) ** 0.3 for rank in range(len(LAST))]
NICK = {"William": "Will", "Elizabeth": "Liz", "Robert": "Bob", "Jennifer": "Jen", "Christopher": "Chris",
        "Matthew": "Matt", "Nicholas": "Nick", "Jonathan": "Jon", "Valentina": "Vale", "Sofia": "Sofi",
        "Michael": "Mike", "Katherine": "Kate", "Rebecca": "Becca", "Daniel": "Dan", "Joshua": "Josh"}
STREETS = "Oak Maple Cedar Pine Elm Walnut Mission Valencia Sunset Ocean Highland Lincoln Grand Park".split()
CITIES = ("Los Angeles", "Pasadena", "Glendale", "Burbank", "Santa Monica", "Culver City", "Long Beach")
RELATIONS = ("mother", "father", "grandmother", "aunt", "legal guardian", "stepfather")
PHRASES = ("Client reported better sleep this week.", "Discussed coping strategies for work stress.",
           "Practised paced breathing; client tolerated well.", "Reviewed homework; partial completion.",
           "Affect brighter than last session.", "Explored family-of-origin themes.",
           "Tension noted in shoulders and upper back.", "Client set a goal for the coming week.",
           "No safety concerns raised.", "Continue current plan; review in four weeks.",
           "Worked with clay; client described the piece as calming.", "Grounding exercise outdoors.")
GOALS = ("Reduce panic episodes to fewer than one a week", "Sleep through the night most nights",
         "Return to work part-time", "Improve communication during conflict", "Decrease low back pain",
         "Build a daily breathing practice", "Express grief through art-making", "Re-engage with friends")
CANCEL_REASONS = ("client ill", "practitioner ill", "schedule conflict", "transport", "weather")
# Credential types per discipline when a modality declares no rule for the jurisdiction (California titles).
LICENCES = {"psychotherapy": ("LMFT", "LPCC", "LCSW", "PSY"), "massage": ("CMT",), "breathwork": ("GPBA",),
            "art-therapy": ("ATR-BC", "LMFT"), "ecotherapy": ("ANFT",)}
ASSOCIATE = {"LMFT": "AMFT", "LPCC": "APCC", "LCSW": "ASW", "PSY": "PSB"}
FAMILY_WEIGHT = {"talk": 4.0, "somatic": 2.0}  # every other family 1.0
MINUTES = {"talk": 50, "somatic": 60, "breath": 60, "creative": 60, "movement": 90}


def make_uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


@dataclass(slots=True)
class Practitioner:
    id: uuid.UUID
    first: str
    last: str
    modality: object  # a ModalitySpec
    location: int
    supervisor: int | None = None
    is_supervisor: bool = False
    licences: list[str] = field(default_factory=list)


@dataclass(slots=True)
class CasePlan:
    id: uuid.UUID
    kind: str
    practitioner: int
    members: list[int]
    length: int = 0
    interval_weeks: int = 1
    opened_on: dt.date | None = None
    hour: int = 9
    goals: list[uuid.UUID] = field(default_factory=list)


def plan_practitioners(rng: random.Random, modalities: list, count: int, locations: int) -> list[Practitioner]:
    """Spread ``count`` practitioners over the modality families in proportion to FAMILY_WEIGHT."""
    families: dict[str, list] = {}
    for modality in modalities:
        families.setdefault(modality.family.value, []).append(modality)
    # Heaviest families first, so a tiny center still has talk therapists.
    names = sorted(families, key=lambda f: (-FAMILY_WEIGHT.get(f, 1.0), f))[:count]
    weights = [FAMILY_WEIGHT.get(f, 1.0) for f in names]
    exact = [(count - len(names)) * w / sum(weights) for w in weights]
    shares = [1 + int(e) for e in exact]
    for i in sorted(range(len(names)), key=lambda i: int(exact[i]) - exact[i])[:count - sum(shares)]:
        shares[i] += 1  # largest remainders take what rounding left over
    people: list[Practitioner] = []
    for family, share in zip(names, shares, strict=True):
        start = len(people)
        for i in range(share):
            modality = families[family][i % len(families[family])]
            people.append(Practitioner(make_uuid(rng), rng.choice(FIRST), rng.choices(LAST, LAST_WEIGHTS)[0],
                                       modality, location=len(people) % locations))
        # Families big enough to train people get supervisors (1 in 6) and associates (1 in 5).
        if share >= 4:
            team = people[start:start + share]
            supervisors = team[:max(1, share // 6)]
            for s in supervisors:
                s.is_supervisor = True
            for n, trainee in enumerate(team[len(supervisors):len(supervisors) + max(1, share // 5)]):
                trainee.supervisor = start + n % len(supervisors)
    return people


def split_lengths(rng: random.Random, cases: list[CasePlan], total: int, max_weeks: int) -> None:
    """Give each case a number of sessions; the lengths add up to exactly ``total``.

    Most episodes are short and a few run for years (an exponential spread), as in real practice.
    """
    for case in cases:
        case.interval_weeks = 1 if case.kind == "group" else rng.choices((1, 2, 4), (70, 25, 5))[0]
    raw = [rng.expovariate(1.0) * (3 if c.kind == "group" else 1) for c in cases]
    caps = [max_weeks // c.interval_weeks + 1 for c in cases]
    floor = 1 if total >= len(cases) else 0
    scale = total / sum(raw)
    lengths = [min(cap, max(floor, round(r * scale))) for r, cap in zip(raw, caps, strict=True)]
    diff = total - sum(lengths)
    while diff:
        i = rng.randrange(len(cases))
        if diff > 0 and lengths[i] < caps[i]:
            lengths[i], diff = lengths[i] + 1, diff - 1
        elif diff < 0 and lengths[i] > floor:
            lengths[i], diff = lengths[i] - 1, diff + 1
    for case, length in zip(cases, lengths, strict=True):
        case.length = length


def minutes(p: Practitioner, kind: str) -> int:
    return 90 if kind == "group" else MINUTES.get(p.modality.family.value, 60)


def plan_cases(rng: random.Random, people: list[Practitioner], n_clients: int) -> list[CasePlan]:
    """Joint cases (couple, family, group) first from a shuffled client list, then an individual case each.

    Every practitioner carries about the same number of hours.
    """
    by_format: dict[str, list[int]] = {}
    for i, p in enumerate(people):
        for fmt in p.modality.formats:
            by_format.setdefault(fmt.value, []).append(i)
    order = list(range(n_clients))
    rng.shuffle(order)
    cases: list[CasePlan] = []
    pos = 0
    for kind, share, size in (("couple", 0.03, (2, 2)), ("family", 0.02, (3, 4)), ("group", 0.04, (6, 10))):
        if kind not in by_format:
            continue
        taken = 0
        while taken < share * n_clients and pos + size[1] <= n_clients:
            members = order[pos:pos + rng.randint(*size)]
            pos, taken = pos + len(members), taken + len(members)
            cases.append(CasePlan(make_uuid(rng), kind, rng.choice(by_format[kind]), members))
    everyone = list(range(len(people)))
    # Weighted by hours, not sessions: a 90-minute practitioner fits fewer sessions in a week.
    weights = [60 / minutes(p, "individual") for p in people]
    for client in range(n_clients):
        for _ in range(2 if rng.random() < 0.2 else 1):  # a second episode is often another modality
            cases.append(CasePlan(make_uuid(rng), "individual", rng.choices(everyone, weights)[0], [client]))
    return cases


def place_cases(rng: random.Random, cases: list[CasePlan], first_day: dt.date, span_days: int) -> None:
    """Choose when each case opens so that all its sessions fall inside the span; more recent is likelier."""
    for case in cases:
        window = max(0, case.length - 1) * 7 * case.interval_weeks
        room = max(0, span_days - window - 7)
        case.opened_on = first_day + dt.timedelta(days=int(room * rng.random() ** 0.8))
        case.hour = rng.randrange(8, 19)


def person_name(rng: random.Random) -> tuple[str, str, str]:
    first = rng.choice(FIRST)
    preferred = NICK.get(first, "") if rng.random() < 0.3 else ""
    return first, rng.choices(LAST, LAST_WEIGHTS)[0], preferred


def phone(rng: random.Random) -> str:
    return f"(213) 555-{rng.randrange(10000):04d}"


def address(rng: random.Random) -> str:
    return f"{rng.randrange(1, 9999)} {rng.choice(STREETS)} St, {rng.choice(CITIES)}, CA"


@dataclass(frozen=True)
class Doc:
    """The few attributes of a registry definition the generator reads; stands in when no plugin has one."""

    key: str
    version: int = 1
    sections: tuple = ()  # note templates: section keys; instruments: item keys
    visibility: str = "care_team"
    psychotherapy_note: bool = False
    modalities: tuple = ()
    renewal_days: int | None = None
    per_body_region: bool = False
    share: float = 1.0  # consents that no modality requires: the share of clients who sign
    text_hash: str = ""
    top: int = 3  # instruments: highest item score; bands are (low, high, label) of the total
    bands: tuple = ()
    multiplier: float = 1


FALLBACK_TEMPLATES = (Doc("bench/soap", sections=("subjective", "objective", "assessment", "plan")),
                      Doc("bench/dap", sections=("data", "assessment", "plan")),
                      Doc("bench/girp", sections=("goal", "intervention", "response", "plan")))
PROCESS_NOTE = Doc("bench/process", sections=("process",), visibility="author_only", psychotherapy_note=True)
FALLBACK_CONSENTS = (Doc("bench/informed-consent", text_hash="a" * 64),
                     Doc("bench/telehealth", renewal_days=365, share=0.3, text_hash="b" * 64),
                     Doc("bench/touch", per_body_region=True, text_hash="c" * 64))
FALLBACK_INTAKE = Doc("bench/intake")
# Generic instruments shaped like PHQ-9 and GAD-7 (item count, 0..3 scoring, published cut-offs).
PHQ_BANDS = ((0, 4, "minimal"), (5, 9, "mild"), (10, 14, "moderate"), (15, 19, "moderately severe"),
             (20, 27, "severe"))
GAD_BANDS = ((0, 4, "minimal"), (5, 9, "mild"), (10, 14, "moderate"), (15, 21, "severe"))
FALLBACK_INSTRUMENTS = (Doc("bench/depression-9", sections=tuple(f"q{i}" for i in range(1, 10)), bands=PHQ_BANDS),
                        Doc("bench/anxiety-7", sections=tuple(f"q{i}" for i in range(1, 8)), bands=GAD_BANDS))
BODY_REGIONS = ("head", "neck", "shoulders", "back", "arms", "legs", "feet", "abdomen", "glutes")
