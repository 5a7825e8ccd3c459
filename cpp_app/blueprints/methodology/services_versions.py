"""Methodology versions as stored: the one new diagnostics use, a version's indicator set, publishing a version,
and the list the methodologists see."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update

from ... import audit
from ...domain.methodology import Methodology, methodology_hash, parse_methodology
from ...domain.workflow import TransitionRefused
from ...extensions import db
from ...kernel.actor import Actor
from ...models import Diagnostic, MethodologyVersion, Platform, User

DEFAULT_METHODOLOGY = "cos"


def methodology_of(diagnostic_or_version) -> Methodology:
    """The indicator set a diagnostic was made with; parsing the stored JSON costs well under a millisecond."""
    version = getattr(diagnostic_or_version, "methodology", diagnostic_or_version)
    return parse_methodology(version.content, source=f"{version.code} v{version.version}")


def active_version(code: str = DEFAULT_METHODOLOGY) -> MethodologyVersion | None:
    return db.session.scalar(
        select(MethodologyVersion)
        .where(MethodologyVersion.code == code, MethodologyVersion.is_active)
        .order_by(MethodologyVersion.version.desc())
        .limit(1)
    )


def publish_methodology(methodology: Methodology, actor: Actor) -> MethodologyVersion:
    """Publishes a validated version and makes it the one new diagnostics use; republishing the same is a no-op."""
    content = methodology.to_dict()
    digest = methodology_hash(content)
    existing = db.session.scalar(
        select(MethodologyVersion).where(
            MethodologyVersion.code == methodology.code, MethodologyVersion.version == methodology.version
        )
    )
    if existing is not None:
        if existing.sha256 == digest:
            return existing
        raise TransitionRefused(
            f"Версия {methodology.version} методики «{methodology.code}» уже опубликована с другим содержанием. "
            "Опубликованная версия не меняется: увеличьте номер версии."
        )
    db.session.execute(
        update(MethodologyVersion).where(MethodologyVersion.code == methodology.code).values(is_active=False)
    )
    version = MethodologyVersion(
        code=methodology.code, version=methodology.version, title=methodology.title, content=content,
        sha256=digest, is_active=True, published_by_id=actor.user_id,
    )
    db.session.add(version)
    db.session.flush()
    audit.record(actor, "methodology.published", version, code=version.code, version=version.version)
    return version


# ------------------------------------------------------------------------------------------------- the list


@dataclass(frozen=True)
class VersionRow:
    id: int
    code: str
    version: int
    title: str
    year: str | None
    is_active: bool
    published_at: datetime
    published_by: str | None
    diagnostics: int


def list_versions() -> list[VersionRow]:
    """Every published version, newest first per code, with how many diagnostics use it (one grouped query)."""
    usage = (
        select(Diagnostic.methodology_id, func.count(Diagnostic.id).label("used"))
        .group_by(Diagnostic.methodology_id)
        .subquery()
    )
    statement = (
        select(
            MethodologyVersion.id,
            MethodologyVersion.code,
            MethodologyVersion.version,
            MethodologyVersion.title,
            MethodologyVersion.content["year"].as_string(),  # not the whole content: it can be large
            MethodologyVersion.is_active,
            MethodologyVersion.published_at,
            User.last_name,
            User.first_name,
            User.middle_name,
            func.coalesce(usage.c.used, 0),
        )
        .outerjoin(User, User.id == MethodologyVersion.published_by_id)
        .outerjoin(usage, usage.c.methodology_id == MethodologyVersion.id)
        .order_by(MethodologyVersion.code, MethodologyVersion.version.desc())
    )
    rows = []
    for id_, code, version, title, year, active, published_at, last, first, middle, used in db.session.execute(statement):
        name = " ".join(part for part in (last, first, middle) if part) or None
        rows.append(VersionRow(id_, code, version, title, year, active, published_at, name, used))
    return rows


def get_version(version_id: int) -> MethodologyVersion | None:
    return db.session.get(MethodologyVersion, version_id)


def diagnostics_using(version: MethodologyVersion) -> int:
    return db.session.scalar(select(func.count(Diagnostic.id)).where(Diagnostic.methodology_id == version.id))


def publisher_name(version: MethodologyVersion) -> str | None:
    if version.published_by_id is None:
        return None
    user = db.session.get(User, version.published_by_id)
    return user.full_name if user else None


def platform_names() -> dict[str, str]:
    """Platform code → name, for the readable rendering of the `auto` rules."""
    return dict(db.session.execute(select(Platform.code, Platform.name)).tuples().all())
