"""Writes to the append-only audit log; the caller's transaction commits it."""
from .extensions import db
from .kernel.actor import Actor
from .models import AuditEvent


def record(actor: Actor, action: str, target=None, **details) -> AuditEvent:
    event = AuditEvent(
        actor_id=actor.user_id,
        action=action,
        target_type=target.__tablename__ if target is not None else None,
        target_id=getattr(target, "id", None),
        details=details,
        ip=actor.ip,
    )
    db.session.add(event)
    return event
