"""All models, imported here so that Alembic and the app see one metadata."""
from ._common import AppendOnlyError, utcnow
from .audit import AuditEvent
from .consent import ConsentAction, ConsentDocument, ConsentEvent
from .organization import ORGANIZATION_KIND_LABELS, Municipality, Organization, OrganizationKind
from .user import ROLE_LABELS, AuthSession, LoginThrottle, Role, User

__all__ = [
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
