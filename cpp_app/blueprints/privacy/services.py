"""Consent documents and the evidence of consent."""
import enum

from sqlalchemy import and_, func, select

from ... import audit
from ...domain.documents import document_hash
from ...extensions import db
from ...kernel.actor import Actor
from ...models import ConsentAction, ConsentDocument, ConsentEvent, User


class NoConsentDocument(RuntimeError):
    pass


def current_document() -> ConsentDocument:
    document = db.session.scalar(select(ConsentDocument).order_by(ConsentDocument.version.desc()).limit(1))
    if document is None:
        raise NoConsentDocument("No consent document is published: run `flask seed`.")
    return document


def document_by_version(version: int) -> ConsentDocument | None:
    return db.session.scalar(select(ConsentDocument).where(ConsentDocument.version == version))


def publish_document(title: str, body: str) -> ConsentDocument:
    """A new version; every signed-in user is asked to consent to it on their next request."""
    latest = db.session.scalar(select(func.max(ConsentDocument.version))) or 0
    document = ConsentDocument(version=latest + 1, title=title, body=body, sha256=document_hash(body))
    db.session.add(document)
    db.session.flush()
    return document


class ConsentSituation(enum.StrEnum):
    CURRENT = "current"
    NEVER_GIVEN = "never_given"  # an account made by an operator or the CLI: asked at the first sign-in
    OUTDATED = "outdated"  # given to an earlier edition of the document
    WITHDRAWN = "withdrawn"


def consent_situation(user_id: int) -> ConsentSituation:
    # One query with the current edition's number: the consent gate runs it on every request.
    current = select(func.max(ConsentDocument.version)).scalar_subquery()
    last_event = db.session.execute(
        select(ConsentEvent.action, ConsentDocument.version, current.label("current"))
        .join(ConsentDocument, ConsentEvent.document_id == ConsentDocument.id)
        .where(ConsentEvent.user_id == user_id)
        .order_by(ConsentEvent.id.desc())
        .limit(1)
    ).first()
    if last_event is None:
        return ConsentSituation.NEVER_GIVEN
    if last_event.action != ConsentAction.GRANTED:
        return ConsentSituation.WITHDRAWN
    return ConsentSituation.CURRENT if last_event.version == last_event.current else ConsentSituation.OUTDATED


def current_consent_column(user_id):
    """SQL: whether the user's last consent event grants the current edition (NULL with no event) — for the
    session loader to read with the user, so that the consent gate costs no statement of its own."""
    current = select(func.max(ConsentDocument.version)).scalar_subquery()
    return (
        select(and_(ConsentEvent.action == ConsentAction.GRANTED, ConsentDocument.version == current))
        .join(ConsentDocument, ConsentEvent.document_id == ConsentDocument.id)
        .where(ConsentEvent.user_id == user_id)
        .order_by(ConsentEvent.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def grant_consent(user: User, document: ConsentDocument, actor: Actor) -> ConsentEvent:
    event = ConsentEvent(
        user_id=user.id,
        document_id=document.id,
        document_sha256=document.sha256,
        action=ConsentAction.GRANTED,
        ip=actor.ip,
        user_agent=actor.user_agent,
    )
    db.session.add(event)
    audit.record(actor, "consent.granted", user, document_version=document.version)
    return event
