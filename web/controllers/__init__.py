"""One controller per area; each route declares its access policy in ``opt``."""

from polymodal.web.controllers.admin import AccessHistoryController, AdminController
from polymodal.web.controllers.api_tokens import IntegrationsController, TokensController
from polymodal.web.controllers.assessments import AssessmentsController
from polymodal.web.controllers.audit_trail import AuditTrailController
from polymodal.web.controllers.auth import AuthController
from polymodal.web.controllers.availability import AvailabilityController
from polymodal.web.controllers.billing import BillingController
from polymodal.web.controllers.cases import CasesController
from polymodal.web.controllers.center_export import CenterExportController
from polymodal.web.controllers.client_import import ClientImportController
from polymodal.web.controllers.client_people import ClientPeopleController
from polymodal.web.controllers.clients import ClientsController
from polymodal.web.controllers.consent import ConsentController
from polymodal.web.controllers.dashboard import DashboardController
from polymodal.web.controllers.eligibility import EligibilityController
from polymodal.web.controllers.emergency import EmergencyAccessController
from polymodal.web.controllers.intake import IntakeController
from polymodal.web.controllers.messaging import FeedController, MyCalendarController, OutboxController
from polymodal.web.controllers.notes import NotesController
from polymodal.web.controllers.portal import PortalController
from polymodal.web.controllers.portal_staff import PortalStaffController
from polymodal.web.controllers.privacy import PrivacyController
from polymodal.web.controllers.retention import RetentionController
from polymodal.web.controllers.safety import SafetyPlanController
from polymodal.web.controllers.schedule import ScheduleController
from polymodal.web.controllers.second_factor import (
    AccountController,
    SecondStepController,
    SignInAdminController,
)
from polymodal.web.controllers.session_log import SessionLogController
from polymodal.web.controllers.sessions import SessionsController
from polymodal.web.controllers.waitlist import WaitlistController

CONTROLLERS = [
    AuthController,
    SecondStepController,
    AccountController,
    SignInAdminController,
    DashboardController,
    ClientsController,
    ClientPeopleController,
    ScheduleController,
    WaitlistController,
    AvailabilityController,
    CasesController,
    SessionsController,
    SessionLogController,
    EligibilityController,
    SafetyPlanController,
    NotesController,
    PortalStaffController,
    PortalController,
    IntakeController,
    AssessmentsController,
    ConsentController,
    AdminController,
    AccessHistoryController,
    AuditTrailController,
    EmergencyAccessController,
    PrivacyController,
    RetentionController,
    BillingController,
    FeedController,
    MyCalendarController,
    OutboxController,
    TokensController,
    IntegrationsController,
    CenterExportController,
    ClientImportController,
]

__all__ = ["CONTROLLERS"]
