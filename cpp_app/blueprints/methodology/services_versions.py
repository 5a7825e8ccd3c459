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
SCHOOL, TEACHER = "school", "teacher"  # MethodologyVersion.subject
SUBJECT_LABELS = {SCHOOL: "для школы", TEACHER: "для педагога"}


# Parsed indicator sets by content hash: a published version never changes, and a page asks for its version's
# several times (result, proposals, road map), each parse about half a millisecond.
_PARSED: dict[tuple[str, str], Methodology] = {}
_PARSED_LIMIT = 64


def methodology_of(diagnostic_or_version) -> Methodology:
    """The indicator set a diagnostic was made with."""
    version = getattr(diagnostic_or_version, "methodology", diagnostic_or_version)
    key = (version.sha256, f"{version.code} v{version.version}")
    parsed = _PARSED.get(key)
    if parsed is None:
        if len(_PARSED) >= _PARSED_LIMIT:
            _PARSED.clear()
        parsed = _PARSED[key] = parse_methodology(version.content, source=key[1])
    return parsed


def active_version(code: str, subject: str) -> MethodologyVersion | None:
    return db.session.scalar(
        select(MethodologyVersion)
        .where(MethodologyVersion.code == code, MethodologyVersion.subject == subject, MethodologyVersion.is_active)
        .order_by(MethodologyVersion.version.desc())
        .limit(1)
    )


def active_school_version(code: str = DEFAULT_METHODOLOGY) -> MethodologyVersion | None:
    """The version new school diagnostics use; a teacher instrument is never one, whatever its code."""
    return active_version(code, SCHOOL)


def code_taken_by_other_subject(methodology: Methodology) -> str | None:
    """The refusal when the code already belongs to a methodology of the other subject, else None: publishing
    must never supersede the other kind's versions."""
    other = db.session.scalar(
        select(MethodologyVersion.subject)
        .where(MethodologyVersion.code == methodology.code, MethodologyVersion.subject != methodology.subject)
        .limit(1)
    )
    if other is None:
        return None
    return (
        f"Код «{methodology.code}» уже занят методикой {SUBJECT_LABELS.get(other, other)}. "
        f"Выберите для методики {SUBJECT_LABELS[methodology.subject]} другой код (code)."
    )


def publish_methodology(methodology: Methodology, actor: Actor) -> MethodologyVersion:
    """Publishes a validated version and makes it the active one of its code and subject; republishing the same
    is a no-op."""
    taken = code_taken_by_other_subject(methodology)
    if taken is not None:
        raise TransitionRefused(taken)
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
        update(MethodologyVersion)
        .where(MethodologyVersion.code == methodology.code, MethodologyVersion.subject == methodology.subject)
        .values(is_active=False)
    )
    version = MethodologyVersion(
        code=methodology.code, version=methodology.version, title=methodology.title, subject=methodology.subject,
        content=content,
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
    subject: str
    year: str | None
    is_active: bool
    published_at: datetime
    published_by: str | None
    diagnostics: int

    @property
    def subject_label(self) -> str:
        return SUBJECT_LABELS.get(self.subject, self.subject)


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
            MethodologyVersion.subject,
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
        .order_by(MethodologyVersion.subject, MethodologyVersion.code, MethodologyVersion.version.desc())
    )
    rows = []
    for (id_, code, version, title, subject, year, active, published_at, last, first, middle,
         used) in db.session.execute(statement):
        name = " ".join(part for part in (last, first, middle) if part) or None
        rows.append(VersionRow(id_, code, version, title, subject, year, active, published_at, name, used))
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


def teacher_areas() -> list[tuple[str, str]]:
    """(code, title) of the areas of every active teacher self-assessment, in their order: what a course may be
    tagged with."""
    areas: dict[str, str] = {}
    versions = db.session.scalars(
        select(MethodologyVersion).where(MethodologyVersion.subject == TEACHER, MethodologyVersion.is_active)
        .order_by(MethodologyVersion.code)
    )
    for version in versions:
        for section in methodology_of(version).sections:
            areas.setdefault(section.code, section.title)
    return list(areas.items())


def platform_names() -> dict[str, str]:
    """Platform code → name, for the readable rendering of the `auto` rules."""
    return dict(db.session.execute(select(Platform.code, Platform.name)).tuples().all())
