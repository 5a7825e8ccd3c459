"""All models, imported here so that Alembic and the app see one metadata."""
from ._common import AppendOnlyError, utcnow
from .audit import AuditEvent
from .consent import ConsentAction, ConsentDocument, ConsentEvent
from .course import (
    COURSE_FORMAT_LABELS,
    COURSE_STATUS_LABELS,
    Course,
    CourseFormat,
    CourseRecord,
    CourseStatus,
    StaffRegisterEntry,
)
from .diagnostic import (
    DIAGNOSTIC_STATUS_LABELS,
    Diagnostic,
    DiagnosticAnswer,
    DiagnosticEvent,
    DiagnosticStatus,
    FormStash,
    MethodologyVersion,
)
from .monitoring import (
    MonitoringSnapshot,
    MonitoringThreshold,
    OrganizationPlatformFigures,
    OrganizationStaffFigures,
)
from .organization import ORGANIZATION_KIND_LABELS, Municipality, Organization, OrganizationKind
from .platform import ACCOUNT_STATUS_LABELS, AccountStatus, Platform, PlatformAccount, PlatformAccountEvent
from .program import (
    ACTION_STATUS_LABELS,
    ActionStatus,
    DevelopmentProgram,
    Measure,
    ProgramAction,
    ProgramActionEvent,
    ProgramRevision,
    ProgramStatus,
    RenderedDocument,
)
from .user import ROLE_LABELS, STAFF_STATE_LABELS, AuthSession, LoginThrottle, Role, StaffState, User

__all__ = [
    "MonitoringSnapshot",
    "MonitoringThreshold",
    "OrganizationPlatformFigures",
    "OrganizationStaffFigures",
    "ACTION_STATUS_LABELS",
    "ActionStatus",
    "DevelopmentProgram",
    "Measure",
    "ProgramAction",
    "ProgramActionEvent",
    "ProgramRevision",
    "ProgramStatus",
    "RenderedDocument",
    "DIAGNOSTIC_STATUS_LABELS",
    "Diagnostic",
    "DiagnosticAnswer",
    "DiagnosticEvent",
    "DiagnosticStatus",
    "FormStash",
    "MethodologyVersion",
    "ACCOUNT_STATUS_LABELS",
    "AccountStatus",
    "COURSE_FORMAT_LABELS",
    "COURSE_STATUS_LABELS",
    "Course",
    "CourseFormat",
    "CourseRecord",
    "CourseStatus",
    "Platform",
    "PlatformAccount",
    "PlatformAccountEvent",
    "STAFF_STATE_LABELS",
    "StaffRegisterEntry",
    "StaffState",
    "AppendOnlyError",
    "AuditEvent",
    "AuthSession",
    "ConsentAction",
    "ConsentDocument",
    "ConsentEvent",
    "LoginThrottle",
    "Municipality",
    "ORGANIZATION_KIND_LABELS",
    "Organization",
    "OrganizationKind",
    "ROLE_LABELS",
    "Role",
    "User",
    "utcnow",
]
