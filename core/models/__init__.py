"""SQLAlchemy models of the core domain; plugin content is stored as validated JSON."""

# Capabilities with a folder of their own keep their tables there; importing them here puts them in the
# one metadata that migrations and the test databases are built from.
from polymodal.core.billing import models as _billing_models  # noqa: F401
from polymodal.core.interop.models import ApiToken, InteropJob  # noqa: I001 (its own folder, same metadata)
from polymodal.core.models._audit import AuditEvent, PluginErrorRecord
from polymodal.core.models._availability import RoomHours, TimeOff, WaitlistEntry, WorkingHours
from polymodal.core.models._base import Base, utcnow
from polymodal.core.models._center import Center, Credential, Location, Room, User
from polymodal.core.models._clients import (
    BreakGlassGrant,
    CareTeamMember,
    Case,
    CaseClient,
    CasePractitioner,
    Client,
    Goal,
    Guardian,
    make_search_key,
)
from polymodal.core.models._eligibility import (
    Clearance,
    EligibilityOverride,
    RiskAcknowledgement,
    SessionCheck,
)
from polymodal.core.models._portal import PortalLink, PortalPacket, PortalSession
from polymodal.core.models._records import (
    AssessmentResult,
    ClientConsentState,
    ConsentGap,
    ConsentRecord,
    ConsentRequirement,
    FormResponse,
    Note,
    NoteAddendum,
    NoteCosignature,
)
from polymodal.core.models._sessions import Session, SessionClient, SessionPractitioner, SessionSeries
from polymodal.core.models._signin import LoginFailure, PendingSignIn, SignInFactors, WebSession

__all__ = [
    "ApiToken",
    "InteropJob",
    "AssessmentResult",
    "AuditEvent",
    "Base",
    "BreakGlassGrant",
    "CareTeamMember",
    "Case",
    "CaseClient",
    "CasePractitioner",
    "Center",
    "Clearance",
    "Client",
    "ClientConsentState",
    "ConsentGap",
    "ConsentRecord",
    "ConsentRequirement",
    "Credential",
    "EligibilityOverride",
    "FormResponse",
    "Goal",
    "Guardian",
    "Location",
    "LoginFailure",
    "PendingSignIn",
    "SignInFactors",
    "Note",
    "NoteAddendum",
    "NoteCosignature",
    "PluginErrorRecord",
    "PortalLink",
    "PortalPacket",
    "PortalSession",
    "RiskAcknowledgement",
    "Room",
    "RoomHours",
    "Session",
    "SessionCheck",
    "SessionClient",
    "SessionPractitioner",
    "SessionSeries",
    "TimeOff",
    "User",
    "WaitlistEntry",
    "WebSession",
    "WorkingHours",
    "make_search_key",
    "utcnow",
]

# Messaging keeps its tables in its own folder; importing them here puts them in the one metadata
# that migrations and tests compare against.
from polymodal.core.messaging import models as _messaging_models  # noqa: E402,F401
from polymodal.core.retention import models as _retention_models  # noqa: E402,F401
from polymodal.core.safety import models as _safety_models  # noqa: E402,F401
