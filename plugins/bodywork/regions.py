"""Body-region map shared by the consent to touch and the SOAP note.

Codes are those suggested in clinical.md §1.2; the regions marked there with
``*`` are the sensitive areas (chest wall, breast, inner thigh, gluteal) that
need signed consent plus verbal consent at every treatment (CMTO position on
sensitive areas: http://webdev.cmto.com/about-the-profession/policies/position-statement/treatment-of-sensitive-areas/).
View (anterior/posterior) is part of the code where the source splits it;
side is recorded per entry in the note.
"""

from polymodal.core.api import BodyRegion, Option

REGIONS = (
    BodyRegion(code="head", label="Head"),
    BodyRegion(code="face", label="Face"),
    BodyRegion(code="neck_ant", label="Neck (front)"),
    BodyRegion(code="neck_post", label="Neck (back)"),
    BodyRegion(code="shoulder", label="Shoulder"),
    BodyRegion(code="upper_back", label="Upper back"),
    BodyRegion(code="mid_back", label="Mid back"),
    BodyRegion(code="low_back", label="Low back"),
    BodyRegion(code="gluteal", label="Gluteal", sensitive=True),
    BodyRegion(code="chest_wall", label="Chest wall", sensitive=True),
    BodyRegion(code="breast", label="Breast", sensitive=True),
    BodyRegion(code="abdomen", label="Abdomen"),
    BodyRegion(code="upper_arm", label="Upper arm"),
    BodyRegion(code="forearm", label="Forearm"),
    BodyRegion(code="hand", label="Hand"),
    BodyRegion(code="thigh_ant", label="Thigh (front)"),
    BodyRegion(code="thigh_post", label="Thigh (back)"),
    BodyRegion(code="inner_thigh", label="Inner thigh", sensitive=True),
    BodyRegion(code="knee", label="Knee"),
    BodyRegion(code="calf", label="Calf / lower leg"),
    BodyRegion(code="foot", label="Foot"),
)

CONSENT_STATES = (
    Option(value="consented", label="Consented"),
    Option(value="declined", label="Declined"),
    Option(value="ask-each-time", label="Ask each time"),
)

SIDES = (
    Option(value="left", label="Left"),
    Option(value="right", label="Right"),
    Option(value="bilateral", label="Bilateral"),
)
