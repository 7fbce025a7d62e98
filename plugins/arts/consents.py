"""Consent to keep, photograph or record creative work (clinical.md §1.4, §5.1, paraphrased).

Sources: artwork images need consent to store, display or return
(https://hayesarttherapy.blogspot.com/2010/10); recordings with consent
(https://romanmusictherapy.com/what-happens-in-a-music-therapy-session/); group
recordings need every member (clinical.md §5.1).
"""

from polymodal.core.api import ConsentDocument, ConsentKind, FieldType, FormField, Option
from polymodal.plugins.arts.modalities import ALL, WORK_CONSENT

YES_NO = FieldType.yes_no

ARTWORK_AND_RECORDINGS = ConsentDocument(
    key=WORK_CONSENT, title="Your artwork and recordings", modalities=ALL, kind=ConsentKind.recording,
    scope="What happens to the work you make in sessions and to recordings of sessions.",
    source="https://hayesarttherapy.blogspot.com/2010/10",
    text=(
        "The work you make belongs to you. Below you choose whether we keep it at the center during therapy, "
        "whether we may photograph it for your record, whether it may ever be displayed, and whether sessions "
        "may be recorded. Photographs and recordings are stored securely and kept confidential. You can change "
        "any choice at any time, and we agree with you what happens to work kept here when therapy ends. In a "
        "group, recording needs every member's consent."
    ),
    fields=(
        FormField(key="keep", label="Where your artwork is kept", type=FieldType.single_choice, required=True,
                  options=(Option(value="client", label="I take it home"),
                           Option(value="center", label="Kept at the center during therapy"),
                           Option(value="ask", label="Ask me each time"))),
        FormField(key="photograph", label="Artwork may be photographed for my record", type=YES_NO, required=True),
        FormField(key="display", label="Artwork may be displayed", type=YES_NO, required=True),
        FormField(key="record", label="Sessions may be audio or video recorded", type=YES_NO, required=True),
    ),
)

CONSENTS = [ARTWORK_AND_RECORDINGS]
