"""Helpers shared by the model modules."""
from datetime import datetime, timezone

from sqlalchemy import event


def utcnow() -> datetime:
    """Naive UTC: SQLite has no time zones, so every timestamp is stored as UTC without one."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


class AppendOnlyError(RuntimeError):
    pass


def append_only(model):
    """Evidence tables (consent, audit) may be inserted into, never changed or deleted."""

    def refuse(mapper, connection, target):
        raise AppendOnlyError(f"{model.__tablename__} is append-only")

    event.listen(model, "before_update", refuse)
    event.listen(model, "before_delete", refuse)
    return model
