"""One controller per area; each route declares its access policy in ``opt``."""

from polymodal.web.controllers.admin import AccessHistoryController, AdminController
from polymodal.web.controllers.assessments import AssessmentsController
from polymodal.web.controllers.auth import AuthController
from polymodal.web.controllers.clients import ClientsController
from polymodal.web.controllers.consent import ConsentController
from polymodal.web.controllers.dashboard import DashboardController
from polymodal.web.controllers.intake import IntakeController

CONTROLLERS = [AuthController, DashboardController, ClientsController, IntakeController, AssessmentsController,
               ConsentController, AdminController, AccessHistoryController]

__all__ = ["CONTROLLERS"]
