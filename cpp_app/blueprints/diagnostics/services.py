"""The school self-diagnostic: starting, saving answers without lost updates, and status transitions."""
import functools
from dataclasses import dataclass, field, replace
from datetime import date

from sqlalchemy import Integer, and_, bindparam, literal, or_, select, union_all
from sqlalchemy.orm import selectinload

from ... import audit
from ...domain.methodology import Indicator, Methodology, Section
from ...domain.platform_links import LinkError, normalize_evidence_link
from ...domain.scoring import Result, Suggestion, score, suggest_all
from ...domain.workflow import TransitionRefused, is_editable, school_year, transition_for
from ...extensions import db
from ...kernel.actor import Actor
from ...kernel.clock import local_today
from ...kernel.stash import STASH_LIFETIME
from ...models import (
    AuthSession,
    Diagnostic,
    DiagnosticAnswer,
    DiagnosticEvent,
    DiagnosticStatus,
    MethodologyVersion,
    Organization,
    Platform,
    PlatformAccount,
    User,
    utcnow,
)
from ...service_errors import FieldErrors
from ..auth.sessions import limits as session_limits
from ..auth.sessions import token_hash as session_token_hash
from ..methodology.services_versions import active_school_version, methodology_of
from ..school.services import StaffCounts, staff_counts
from ..school.tallies import REGISTERED_STATUSES, staff_member

MAX_COMMENT_LENGTH = 5000
MAX_EVIDENCE_LENGTH = 500


def diagnostics_of(organization_id: int) -> list[Diagnostic]:
    return list(
        db.session.scalars(
            select(Diagnostic)
            .options(selectinload(Diagnostic.methodology))
            .where(Diagnostic.organization_id == organization_id)
            .order_by(Diagnostic.school_year.desc(), Diagnostic.id.desc())
        )
    )


def school_diagnostic(organization_id: int | None, diagnostic_id: int) -> Diagnostic | None:
    """The organisation's own diagnostic; another organisation's is None (and so a 404)."""
    if organization_id is None:
        return None
    return db.session.scalar(
        select(Diagnostic).where(Diagnostic.id == diagnostic_id, Diagnostic.organization_id == organization_id)
    )


def start(organization: Organization, actor: Actor, today: date) -> Diagnostic:
    """This school year's diagnostic of the organisation, created on first use.

    One per organisation, methodology and year: a version published mid-year does not start a second one."""
    version = active_school_version()
    if version is None:
        raise TransitionRefused("Методика самодиагностики не опубликована. Обратитесь к методисту КК ИПК.")
    if organization.kind.value not in methodology_of(version).applies_to:
        raise TransitionRefused(
            f"Методика «{version.title}» не предназначена для организаций типа «{organization.kind.label}»."
        )
    year = school_year(today)
    existing = db.session.scalar(
        select(Diagnostic)
        .join(MethodologyVersion, Diagnostic.methodology_id == MethodologyVersion.id)
        .where(
            Diagnostic.organization_id == organization.id,
            MethodologyVersion.code == version.code,
            Diagnostic.school_year == year,
        )
        .order_by(Diagnostic.id)
        .limit(1)
    )
    if existing is not None:
        return existing
    diagnostic = Diagnostic(
        organization=organization, methodology=version, school_year=year, created_by_id=actor.user_id
    )
    db.session.add(diagnostic)
    db.session.flush()
    db.session.add(DiagnosticEvent(diagnostic=diagnostic, to_status=DiagnosticStatus.DRAFT, actor_id=actor.user_id))
    audit.record(actor, "diagnostic.started", diagnostic, school_year=year, methodology_version=version.version)
    return diagnostic


def answers_by_code(diagnostic: Diagnostic) -> dict[str, DiagnosticAnswer]:
    return {answer.indicator_code: answer for answer in diagnostic.answers}


def result_of(diagnostic: Diagnostic) -> Result:
    answers = {code: answer.score for code, answer in answers_by_code(diagnostic).items()}
    return score(methodology_of(diagnostic), answers)


# ------------------------------------------------------------------------------------------ saving answers


@dataclass(frozen=True)
class AnswerInput:
    score: int | None
    comment: str = ""
    evidence_url: str = ""
    # The answer's revision the user's page was showing; None for an answer the page never had.
    base_revision: int | None = None


@dataclass(frozen=True)
class Conflict:
    """Someone else changed this answer since the page was loaded; nothing of it was overwritten."""

    indicator_code: str
    theirs: AnswerInput
    yours: AnswerInput
    changed_by_id: int | None


@dataclass(frozen=True)
class SaveOutcome:
    saved: int
    conflicts: tuple[Conflict, ...]
    # Answers refused, keyed like FieldErrors («code», «code.comment», «code.evidence_url»): nothing of them
    # was saved, while the section's other answers were.
    errors: dict[str, str] = field(default_factory=dict)


def _checked(methodology: Methodology, code: str, given: AnswerInput) -> tuple[AnswerInput, dict[str, str]]:
    """The answer as it is stored (the evidence link normalised), and what is wrong with it."""
    indicator = methodology.indicator(code)
    if indicator is None:
        return given, {code: "Такого показателя нет в методике."}
    errors = {}
    if given.score is not None and given.score not in {level.score for level in indicator.levels}:
        errors[code] = "Выберите один из уровней показателя."
    try:
        given = replace(given, evidence_url=normalize_evidence_link(given.evidence_url, MAX_EVIDENCE_LENGTH))
    except LinkError as error:
        errors[f"{code}.evidence_url"] = str(error)
    if len(given.comment) > MAX_COMMENT_LENGTH:
        errors[f"{code}.comment"] = f"Комментарий длиннее {MAX_COMMENT_LENGTH} символов."
    return given, errors


def _same(answer: DiagnosticAnswer, given: AnswerInput) -> bool:
    return (answer.score, answer.comment or "", answer.evidence_url or "") == (
        given.score, given.comment, given.evidence_url,
    )


def save_answers(diagnostic: Diagnostic, inputs: dict[str, AnswerInput], actor: Actor,
                 keep_valid: bool = False) -> SaveOutcome:
    """Saves what changed; an answer changed meanwhile by someone else is reported, not overwritten. An answer with
    a wrong field is refused: with `keep_valid` (the questionnaire) the section's other answers are saved and the
    refused ones come back in SaveOutcome.errors, else FieldErrors and nothing is saved."""
    if not is_editable(diagnostic.status):
        raise TransitionRefused("Самодиагностика отправлена на проверку: изменить ответы нельзя.")
    methodology = methodology_of(diagnostic)
    errors, accepted = {}, {}
    for code, given in inputs.items():
        given, problems = _checked(methodology, code, given)
        errors |= problems
        if not problems:
            accepted[code] = given
    if errors and not keep_valid:
        raise FieldErrors(errors)

    stored = answers_by_code(diagnostic)
    saved, conflicts = 0, []
    for code, given in accepted.items():
        answer = stored.get(code)
        if answer is not None and _same(answer, given):
            continue
        if answer is not None and given.base_revision != answer.revision:
            theirs = AnswerInput(answer.score, answer.comment or "", answer.evidence_url or "", answer.revision)
            conflicts.append(Conflict(code, theirs, given, answer.updated_by_id))
            continue
        if answer is None:
            answer = DiagnosticAnswer(diagnostic=diagnostic, indicator_code=code, revision=0)
            db.session.add(answer)
        answer.score, answer.comment, answer.evidence_url = given.score, given.comment or None, given.evidence_url or None
        answer.revision = (answer.revision or 0) + 1
        answer.updated_at, answer.updated_by_id = utcnow(), actor.user_id
        saved += 1
    if saved:
        diagnostic.updated_at = utcnow()
    db.session.flush()
    return SaveOutcome(saved=saved, conflicts=tuple(conflicts), errors=errors)


@dataclass(frozen=True)
class GeneralFacts:
    """«Общие сведения» as posted: the counts, and the students registered on Сферум with the day of that figure."""

    staff_count: int | None = None
    student_count: int | None = None
    sferum_students: int | None = None
    sferum_students_on: date | None = None


def general_facts_errors(facts: GeneralFacts, today: date) -> dict[str, str]:
    errors = {}
    for name in ("staff_count", "student_count", "sferum_students"):
        value = getattr(facts, name)
        if value is not None and not 0 <= value <= 100_000:
            errors[name] = "Укажите число от 0 до 100 000."
    students, on = facts.sferum_students, facts.sferum_students_on
    if "sferum_students" not in errors and students is not None and facts.student_count is not None \
            and students > facts.student_count:
        errors["sferum_students"] = (f"Больше, чем обучающихся в школе ({facts.student_count}): "
                                     "проверьте оба числа.")
    if students is not None and on is None:
        errors["sferum_students_on"] = "Укажите дату, на которую дано число обучающихся в Сферуме."
    if students is None and on is not None:
        errors["sferum_students"] = "Укажите, сколько обучающихся зарегистрировано в Сферуме на эту дату."
    if on is not None and on > today:
        errors["sferum_students_on"] = "Дата не может быть позже сегодняшней."
    return errors


def set_counts(diagnostic: Diagnostic, facts: GeneralFacts) -> None:
    if not is_editable(diagnostic.status):
        raise TransitionRefused("Самодиагностика отправлена на проверку: изменить её нельзя.")
    if errors := general_facts_errors(facts, local_today()):
        raise FieldErrors(errors)
    diagnostic.staff_count, diagnostic.student_count = facts.staff_count, facts.student_count
    diagnostic.sferum_students, diagnostic.sferum_students_on = facts.sferum_students, facts.sferum_students_on


@dataclass(frozen=True)
class StepInput:
    """One questionnaire step as posted: the general facts, or a section's changed answers."""

    answers: dict[str, AnswerInput]
    general: bool = False
    facts: GeneralFacts = GeneralFacts()


def save_step(diagnostic: Diagnostic, step: StepInput, actor: Actor) -> SaveOutcome:
    """Saves one step; answers go through save_answers (conflicts and refused answers reported, the others saved),
    the counts are last-write-wins."""
    if not step.general:
        return save_answers(diagnostic, step.answers, actor, keep_valid=True)
    def facts() -> tuple:
        return (diagnostic.staff_count, diagnostic.student_count, diagnostic.sferum_students,
                diagnostic.sferum_students_on)

    before = facts()
    set_counts(diagnostic, step.facts)
    changed = before != facts()
    if changed:
        diagnostic.updated_at = utcnow()
    db.session.flush()
    return SaveOutcome(saved=int(changed), conflicts=())


def user_names(user_ids) -> dict[int, str]:
    """Short names («Петрова А. И.») of the given users, for «who changed this»."""
    ids = {user_id for user_id in user_ids if user_id is not None}
    if not ids:
        return {}
    return {user.id: user.short_name for user in db.session.scalars(select(User).where(User.id.in_(ids)))}


# ------------------------------------------------------------------------- live data behind the suggestions


@dataclass(frozen=True)
class PlatformGap:
    """Confirmed teachers who keep a platform's figure down: no account yet, or a status the school has not
    confirmed (only confirmed statuses count towards the indicators)."""

    code: str
    name: str
    not_registered: tuple[str, ...]  # full names, by surname: the first ones
    unconfirmed: tuple[str, ...]
    not_registered_count: int  # how many there are in all
    unconfirmed_count: int


@dataclass(frozen=True)
class LiveData:
    suggestions: dict[str, Suggestion]  # indicator code → suggestion, for indicators with an `auto` rule
    staff_count: int | None  # the number of teachers the shares were computed against
    from_profiles: bool  # the diagnostic states no staff count: the staff confirmed in ЦПП was used instead
    counts: StaffCounts
    gaps: dict[str, PlatformGap]  # platform code → gap, for the platforms of the rules asked about


def rule_platforms(indicator: Indicator) -> tuple[str, ...]:
    """The platforms an indicator's `auto` rule looks at, in the order the rule names them."""
    if indicator.auto is None:
        return ()
    codes = [condition.platform for level in indicator.auto.levels for condition in level.conditions]
    return tuple(dict.fromkeys(codes))


def live_data(diagnostic: Diagnostic, methodology: Methodology, section: Section | None = None,
              gap_names: int | None = None) -> LiveData | None:
    """Suggested scores with their figures and, when `gap_names` is given, the teachers behind the gaps (that many
    names per list at most); None when the section has no rules."""
    indicators = section.indicators if section is not None else methodology.indicators
    platforms = tuple(dict.fromkeys(code for indicator in indicators for code in rule_platforms(indicator)))
    if not platforms:
        return None
    counts = staff_counts(diagnostic.organization_id)
    by_platform = {
        item.code: {"registered": item.registered_confirmed - item.active_confirmed, "active": item.active_confirmed}
        for item in counts.platforms
    }
    from_profiles = diagnostic.staff_count is None
    staff = counts.confirmed if from_profiles else diagnostic.staff_count
    return LiveData(
        suggestions=suggest_all(methodology, by_platform, staff),
        staff_count=staff,
        from_profiles=from_profiles,
        counts=counts,
        gaps={} if gap_names is None else platform_gaps(diagnostic.organization_id, counts, platforms, gap_names),
    )


@functools.lru_cache(maxsize=64)
def _gap_names_statement(platform_codes: tuple[str, ...]):
    """Built once per set of platforms (building and keying it cost more than running it)."""
    stated = PlatformAccount.status.in_(REGISTERED_STATUSES)
    # The school and the limit are written into the statement: once the driver prepares it, PostgreSQL's generic
    # plan, blind to them, took three times as long as the plan made for the school at hand.
    school = bindparam("school", type_=Integer, literal_execute=True)
    limit = bindparam("limit", type_=Integer, literal_execute=True)
    lists = []
    for code in platform_codes:
        for unconfirmed, condition in ((0, or_(PlatformAccount.id.is_(None), ~stated)),
                                       (1, and_(stated, PlatformAccount.confirmed_at.is_(None)))):
            lists.append(
                select(Platform.code, literal(unconfirmed).label("unconfirmed"), User.last_name, User.first_name,
                       User.middle_name, User.id)
                .select_from(User)
                .join(Platform, Platform.code == code)
                .outerjoin(PlatformAccount,
                           and_(PlatformAccount.user_id == User.id, PlatformAccount.platform_id == Platform.id))
                .where(
                    User.organization_id == school,
                    staff_member(),
                    User.confirmed_at.is_not(None),
                    condition,
                )
                .order_by(User.last_name, User.first_name, User.middle_name, User.id)
                .limit(limit)
                .subquery()
            )
    rows = union_all(*(select(part) for part in lists)).subquery()
    return select(rows).order_by(rows.c.code, rows.c.unconfirmed, rows.c.last_name, rows.c.first_name,
                                 rows.c.middle_name, rows.c.id)


def platform_gaps(organization_id: int, counts: StaffCounts, platform_codes: tuple[str, ...],
                  limit: int) -> dict[str, PlatformGap]:
    """Confirmed teachers keeping each platform's figure down: how many (from the staff's counts) and the first
    `limit` of each list by surname, in one query of small sorted reads however many teachers the school has."""
    names: dict[tuple[str, int], list[str]] = {}
    if platform_codes:
        for code, unconfirmed, *name_parts, _ in db.session.execute(
                _gap_names_statement(platform_codes), {"school": organization_id, "limit": limit}):
            names.setdefault((code, unconfirmed), []).append(" ".join(part for part in name_parts if part))
    gaps = {}
    for code in platform_codes:
        figures = counts.for_platform(code)
        missing = counts.confirmed - (figures.registered_by_confirmed if figures else 0)
        waiting = figures.registered_by_confirmed - figures.registered_confirmed if figures else 0
        gaps[code] = PlatformGap(code, figures.name if figures else code, tuple(names.get((code, 0), ())),
                                 tuple(names.get((code, 1), ())), missing, waiting)
    return gaps


# ------------------------------------------------------------------------------------------- transitions


def _transition(diagnostic: Diagnostic, action: str, role: str, actor: Actor, note: str | None) -> None:
    transition = transition_for(action, diagnostic.status.value, role)
    note = (note or "").strip() or None
    if transition.needs_note and not note:
        raise FieldErrors({"note": "Напишите, что нужно исправить: школа увидит этот комментарий."})
    source = diagnostic.status
    diagnostic.status = DiagnosticStatus(transition.target)
    db.session.add(
        DiagnosticEvent(diagnostic=diagnostic, from_status=source, to_status=diagnostic.status,
                        actor_id=actor.user_id, note=note)
    )
    audit.record(actor, f"diagnostic.{action}", diagnostic, from_status=source.value, to_status=transition.target)


def missing_answers(diagnostic: Diagnostic) -> list[str]:
    stored = answers_by_code(diagnostic)
    return [
        indicator.code
        for indicator in methodology_of(diagnostic).indicators
        if stored.get(indicator.code) is None or stored[indicator.code].score is None
    ]


def submit(diagnostic: Diagnostic, actor: Actor, role: str) -> Result:
    missing = missing_answers(diagnostic)
    if missing:
        raise TransitionRefused(f"Ответьте на все показатели: без ответа осталось {len(missing)}.")
    _transition(diagnostic, "submit", role, actor, None)
    result = result_of(diagnostic)
    diagnostic.total_points, diagnostic.max_points, diagnostic.level_code = result.total, result.maximum, result.level.code
    diagnostic.submitted_at = utcnow()
    return result


def return_for_rework(diagnostic: Diagnostic, actor: Actor, role: str, note: str, comments: dict[str, str]) -> None:
    _transition(diagnostic, "return", role, actor, note)
    stored = answers_by_code(diagnostic)
    for code, text in comments.items():
        if code in stored:
            stored[code].reviewer_comment = text.strip() or None
    diagnostic.reviewed_at = utcnow()


def accept(diagnostic: Diagnostic, actor: Actor, role: str, note: str | None) -> None:
    _transition(diagnostic, "accept", role, actor, note)
    diagnostic.reviewed_at = utcnow()


# ---------------------------------------------------------------------- answers posted after the session ended


def ended_session_user(token: str | None) -> User | None:
    """The user whose sign-in the browser's token was, if that session ended within the stash lifetime (expired,
    idle or signed out) and the account is still active; None for a made-up, live or long-ended token."""
    if not token:
        return None
    row = db.session.execute(
        select(AuthSession, User).join(User, AuthSession.user_id == User.id)
        .where(AuthSession.token_hash == session_token_hash(token))
    ).first()
    if row is None:
        return None
    auth_session, user = row
    now = utcnow()
    idle_end = auth_session.last_seen_at + session_limits().idle_limit(auth_session.remember)
    ended_at = auth_session.revoked_at or min(auth_session.expires_at, idle_end)
    if not user.is_active or not now - STASH_LIFETIME <= ended_at <= now:
        return None
    return user
