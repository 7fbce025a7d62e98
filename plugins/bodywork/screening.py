"""Massage contraindications as screening rules (clinical.md §3.2).

Class mapping: *absolute* becomes ``excluded`` (no massage today) or, where the
source says "until cleared", ``clearance``: the session may be booked and is
marked pending clearance, and check-in waits until a clearance (who cleared,
profession, licence, until when) is recorded on the client. *Local* and
*modify* become ``modify`` with the class named first in the reason; the
reason is the adaptation shown at booking, in pre-flight and beside the note.
Evidence is uneven, so these are defaults a center reviews, not fixed law.

Answers in the core's fact vocabulary (pregnancy, anticoagulants, recent
surgery, cardiovascular disease) set that fact, so breathwork's rules see what
this health history found.
"""

from polymodal.core.api import ClientFact, Outcome, ScreeningRule
from polymodal.plugins.bodywork.modalities import ALL, HEALTH_HISTORY

DROR = "https://www.droracle.ai/articles/202521/what-are-the-contraindications-to-massage-therapy"
NCCIH = "https://massage.megatopx.com/article002_pg2.html"
ASCENSION = "https://ascensionselfcare.com/know-when-to-say-no-to-massage/"
WALTON = "http://www.massagetoday.com/mpacms/mt/article.php?id=13259"
ABMP_THERAPIST = "https://cynthialombardi.abmp.com/contraindications"
ONCOLINK = "http://www.oncolink.org/experts/article1.cfm?id=2805&c=125"
PREGNANCY_POSITIONS = ("https://www.massagemag.com/position-matters-in-pregnancy-massage-13602/ · "
                       "http://natureofbodymassage.com/pregnancy-massage/sidelying-position/ · "
                       "https://spencermassage.com/risks-of-massage")


def _rule(name: str, field: str, outcome: Outcome, reason: str, source: str, fact: ClientFact | None = None,
          **condition) -> ScreeningRule:
    condition = condition or {"equals": True}
    return ScreeningRule(key=f"bodywork/{name}", form=HEALTH_HISTORY, field=field, outcome=outcome,
                         modalities=ALL, reason=reason, source=source, sets_fact=fact, **condition)


SCREENING_RULES = [
    _rule("blood-clot", "blood_clot", Outcome.excluded,
          "Absolute: suspected or diagnosed DVT or phlebitis. No massage until medically cleared, and never on "
          "the affected limb (risk of a dislodged clot).", DROR),
    _rule("acute-illness", "acute_illness", Outcome.excluded,
          "Absolute: fever, acute infection or contagious illness. Reschedule.", ASCENSION),
    _rule("cardiovascular", "cardiovascular_unstable", Outcome.clearance,
          "Absolute until cleared: uncontrolled (unstable) blood pressure, unstable cardiac disease or a recent "
          "stroke/TIA. No hands-on work until the client's physician clears it and the clearance is recorded.",
          f"{DROR} · {ABMP_THERAPIST}", ClientFact.cardiovascular_disease),
    _rule("bleeding-risk", "bleeding_risk", Outcome.modify,
          "Modify: bleeding disorder or low platelets. No deep or forceful work; light pressure; watch for "
          "bruising.", NCCIH),
    _rule("anticoagulant", "medication_classes", Outcome.modify,
          "Modify: anticoagulant medication. No deep or forceful work; light pressure; watch for bruising.",
          NCCIH, ClientFact.anticoagulants, any_of=("anticoagulant",)),
    _rule("corticosteroid", "medication_classes", Outcome.modify,
          "Modify: corticosteroid medication. Review how it affects the client and adapt the work.",
          WALTON, any_of=("corticosteroid",)),
    _rule("analgesic", "medication_classes", Outcome.modify,
          "Modify: pain medication can hide pain feedback; do not rely on the client feeling too much pressure.",
          WALTON, any_of=("analgesic",)),
    _rule("recent-surgery", "recent_surgery", Outcome.modify,
          "Local: avoid the surgical site; some sources suggest about 6 weeks or the surgeon's clearance.",
          "https://222health.com/alternative-medicine/aromatherapy/187414.html", ClientFact.recent_surgery),
    _rule("bone-fragility", "bone_fragility", Outcome.modify,
          "Local + modify: fracture, severe osteoporosis or bone metastasis. Avoid the area; limit pressure.",
          "https://pubhtml5.com/ylgr/lhcc/basic/401-445"),
    _rule("skin-local", "skin", Outcome.modify,
          "Local: avoid the affected skin (wound, burn, rash, infection or undiagnosed lump).", ASCENSION,
          equals="local"),
    _rule("skin-widespread", "skin", Outcome.excluded,
          "Absolute: widespread or contagious skin condition.", ASCENSION, equals="widespread"),
    _rule("varicose-veins", "varicose_veins", Outcome.modify,
          "Local: no pressure over varicose veins.", "https://clinicwala.com/cure_massage-massage-precautionsmassage.html"),
    _rule("pregnancy", "pregnant", Outcome.modify,
          "Modify: pregnancy. Position side-lying with bolsters (left side preferred late in pregnancy); after "
          "the first trimester (about 13 weeks) no prone position, and no lying flat on the back for long "
          "(the uterus presses on the vena cava): semi-reclined instead. Record the trimester; advice on the "
          "first trimester and the abdomen is disputed, so follow the center's policy.",
          PREGNANCY_POSITIONS, ClientFact.pregnancy),
    _rule("pregnancy-high-risk", "pregnancy_high_risk", Outcome.clearance,
          "Clearance: high-risk pregnancy needs medical clearance.", "https://spencermassage.com/risks-of-massage"),
    _rule("cancer", "cancer", Outcome.modify,
          "Modify: cancer or active treatment. No direct pressure over a tumour; oncology clearance for deep "
          "work.", NCCIH),
    _rule("neuropathy", "neuropathy", Outcome.modify,
          "Modify: diabetes with neuropathy or fragile skin. Lighter pressure and skin checks.", DROR),
    _rule("abuse-history", "abuse_history", Outcome.modify,
          "Modify: history of physical abuse. Trauma-informed consent and extra check-ins.",
          "https://excitingspas.com/side-effects.html"),
    _rule("lymphedema-risk", "lymphedema_risk", Outcome.modify,
          "Local + modify: lymph nodes removed or irradiated, or lymphedema. Light pressure only on the limb and "
          "body quadrant at risk, no deep work and no heat there; treating the lymphedema itself is for a "
          "certified lymphedema therapist.", f"{ONCOLINK} · "
          "https://bodyawakening.org/manual-therapy/quick-answer-is-lymphedema-contraindicated-for-massage.html"),
    _rule("local-inflammation", "local_inflammation", Outcome.modify,
          "Local: acute inflammation or a new injury. Do not work the inflamed area (massage irritates it "
          "further); work elsewhere only.",
          "http://majesticmassage.ro/contraindications-in-massage/ · "
          "http://www.thesunflowercentre.co.uk/contra-indications-to-lymphatic-massage"),
    _rule("aneurysm", "aneurysm", Outcome.excluded,
          "Absolute: aneurysm. No massage; a clinician may override only on the physician's written advice.",
          "https://www.spaverde.pl/en/contraindications-massage/"),
    _rule("intoxicated", "intoxicated", Outcome.excluded,
          "Absolute today: under the influence of alcohol or drugs (pain feedback and judgement are dulled). "
          "Reschedule, and update the health history at the next visit.",
          f"{ABMP_THERAPIST} · https://www.rockrunrelax.co.uk/ufaqs/when-should-i-not-get-a-massage/"),
    _rule("product-allergy", "product_allergies", Outcome.modify,
          "Modify: oil, lotion or latex allergy. Change products.", "https://www.livih.com/myofascial-release/is-massage-safe/",
          any_of=("nut-oils", "fragrance", "latex")),
]
