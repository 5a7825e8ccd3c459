"""Upload → preview → publish. A valid upload is checked against the published versions and compared with the
active one; a publishable one is kept server-side (a FormStash row bound to the uploader) between the preview and
the publication, and validated again when published."""
import enum
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import load_only

from ...domain.methodology import Methodology, MethodologyError, methodology_hash, parse_methodology
from ...domain.workflow import TransitionRefused
from ...extensions import db
from ...kernel.actor import Actor
from ...kernel.stash import stash_form, take_stash
from ...models import MethodologyVersion
from .description import MethodologyView, describe
from .differences import MethodologyDiff, compare
from .services_versions import (
    active_version,
    code_taken_by_other_subject,
    methodology_of,
    platform_names,
    publish_methodology,
)

STALE_PREVIEW = "Предпросмотр устарел или уже использован. Загрузите файл методики ещё раз."


class Publication(enum.StrEnum):
    NEW = "new"
    IDENTICAL = "identical"  # the same version with the same content is published: nothing to do
    CONFLICT = "conflict"  # the same version number with other content
    CODE_TAKEN = "code_taken"  # the code belongs to a methodology of the other subject
    OLDER = "older"  # a number below the latest published one


@dataclass(frozen=True)
class PublicationCheck:
    state: Publication
    message: str | None
    latest: MethodologyVersion | None  # the newest published version of the same code
    existing: MethodologyVersion | None  # the published version with the same number


def check_publication(methodology: Methodology) -> PublicationCheck:
    taken = code_taken_by_other_subject(methodology)
    if taken is not None:
        return PublicationCheck(Publication.CODE_TAKEN, taken, None, None)
    columns = (MethodologyVersion.id, MethodologyVersion.code, MethodologyVersion.version, MethodologyVersion.sha256)
    versions = list(db.session.scalars(
        select(MethodologyVersion)
        .options(load_only(*columns))  # the content is not needed to compare
        .where(MethodologyVersion.code == methodology.code)
        .order_by(MethodologyVersion.version.desc())
    ))
    latest = versions[0] if versions else None
    existing = next((v for v in versions if v.version == methodology.version), None)
    name = f"Версия {methodology.version} методики «{methodology.code}»"
    if existing is not None and existing.sha256 == methodology_hash(methodology.to_dict()):
        return PublicationCheck(
            Publication.IDENTICAL, f"{name} уже опубликована с таким же содержанием — публиковать нечего.",
            latest, existing,
        )
    if existing is not None:
        return PublicationCheck(
            Publication.CONFLICT,
            f"{name} уже опубликована с другим содержанием. Опубликованная версия не меняется: "
            "увеличьте номер версии (version) в файле.",
            latest, existing,
        )
    if latest is not None and methodology.version < latest.version:
        return PublicationCheck(
            Publication.OLDER,
            f"Номер версии {methodology.version} меньше последней опубликованной версии {latest.version} "
            f"методики «{methodology.code}». Новая версия должна иметь больший номер, например {latest.version + 1}.",
            latest, None,
        )
    return PublicationCheck(Publication.NEW, None, latest, None)


@dataclass(frozen=True)
class Preview:
    source: str
    view: MethodologyView
    check: PublicationCheck
    diff: MethodologyDiff | None  # None when no version of this code is published yet
    token: str | None  # set only when the version can be published


def stash_target(user_id: int) -> str:
    return f"methodology-preview:{user_id}"


def prepare_preview(methodology: Methodology, source: str, user_id: int) -> Preview:
    """What publishing would do; a publishable version is kept server-side under a one-time token."""
    names = platform_names()
    check = check_publication(methodology)
    active = active_version(methodology.code, methodology.subject)
    diff = compare(methodology_of(active), methodology, names) if active is not None else None
    token = None
    if check.state == Publication.NEW:
        content = methodology.to_dict()
        token = stash_form(
            user_id, stash_target(user_id), {"content": content, "source": source, "sha256": methodology_hash(content)}
        )
    return Preview(source, describe(methodology, names), check, diff, token)


@dataclass(frozen=True)
class PublishOutcome:
    version: MethodologyVersion
    created: bool


def publish_previewed(token: str | None, user_id: int, actor: Actor) -> PublishOutcome:
    """Publishes what this user previewed under `token`, validated again; TransitionRefused says why not."""
    payload = take_stash(token, stash_target(user_id), user_id)
    if not payload or not isinstance(payload.get("content"), dict):
        raise TransitionRefused(STALE_PREVIEW)
    try:
        methodology = parse_methodology(payload["content"], str(payload.get("source") or "файл"))
    except MethodologyError:
        raise TransitionRefused("Методика не прошла повторную проверку. " + STALE_PREVIEW) from None
    if methodology_hash(methodology.to_dict()) != payload.get("sha256"):
        raise TransitionRefused(STALE_PREVIEW)
    check = check_publication(methodology)
    if check.state == Publication.IDENTICAL:
        return PublishOutcome(check.existing, created=False)
    if check.state in (Publication.OLDER, Publication.CODE_TAKEN):
        raise TransitionRefused(check.message)
    # A conflict found meanwhile is refused by publish_methodology itself, with its own message.
    return PublishOutcome(publish_methodology(methodology, actor), created=True)
