"""Users and roles: the operator's user list, role changes and accounts created from the command line."""
from dataclasses import dataclass
from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import case, or_, select
from sqlalchemy.orm import joinedload

from ... import audit
from ...domain.passwords import password_problems
from ...extensions import db
from ...kernel.actor import Actor
from ...kernel.audit_labels import AUDIT_ACTION_LABELS
from ...models import AuditEvent, Organization, OrganizationKind, Role, User, utcnow
from ...queries import Page, contains_pattern, fold, folded, paginate
from ...security import hash_password
from ...service_errors import FieldErrors
from ..auth.services import find_user_by_email
from ..auth.sessions import end_all_sessions

PER_PAGE = 25
MAX_QUERY_LENGTH = 100


def list_users(query: str = "", role: Role | None = None, page: int = 1, per_page: int = PER_PAGE) -> Page[User]:
    """Users whose e-mail or name contains every word of the query (any case, ё = е), of one role or all."""
    conditions = []
    for term in fold(query[:MAX_QUERY_LENGTH]).split():
        pattern = contains_pattern(term)
        conditions.append(
            or_(*(folded(column).like(pattern, escape="\\")
                  for column in (User.email, User.last_name, User.first_name, User.middle_name)))
        )
    if role is not None:
        conditions.append(User.role == role)
    statement = (
        select(User)
        .options(joinedload(User.organization))
        .where(*conditions)
        .order_by(User.last_name, User.first_name, User.middle_name, User.id)
    )
    return paginate(statement, page, per_page)


def get_user(user_id: int) -> User | None:
    return db.session.scalar(select(User).options(joinedload(User.organization)).where(User.id == user_id))




@dataclass(frozen=True)
class HistoryEntry:
    occurred_at: datetime
    text: str
    actor_name: str


def _role_label(value) -> str:
    try:
        return Role(value).label
    except ValueError:
        return str(value)


def _describe(event: AuditEvent) -> str:
    text = AUDIT_ACTION_LABELS.get(event.action, event.action)
    details = event.details or {}
    if event.action == "user.role_changed" and "to_role" in details:
        text += f": {_role_label(details.get('from_role'))} → {_role_label(details['to_role'])}"
    if event.action == "user.blocked" and details.get("reason"):
        text += f": {details['reason']}"
    if event.action == "user.signed_in" and details.get("second_factor"):
        text += " (с кодом из письма)"
    return text


def user_history(user: User, limit: int = 20) -> list[HistoryEntry]:
    """The latest audit events about the user, newest first, in words."""
    events = db.session.scalars(
        select(AuditEvent)
        .options(joinedload(AuditEvent.actor))
        .where(AuditEvent.target_type == User.__tablename__, AuditEvent.target_id == user.id)
        .order_by(AuditEvent.id.desc())
        .limit(limit)
    )
    return [
        HistoryEntry(
            occurred_at=event.occurred_at,
            text=_describe(event),
            actor_name=(event.actor.short_name or event.actor.email) if event.actor else "система",
        )
        for event in events
    ]


# ------------------------------------------------------------------------------------- roles and organisations


def parse_role(value: str | None) -> Role:
    try:
        return Role((value or "").strip())
    except ValueError:
        allowed = ", ".join(role.value for role in Role)
        raise FieldErrors({"role": f"Неизвестная роль «{value}». Допустимые значения: {allowed}."}) from None


def organization_by_inn(inn: str) -> Organization:
    """The registry organisation with this ИНН; a branch shares its head's ИНН, so the head wins."""
    inn = (inn or "").strip()
    if not (inn.isdigit() and len(inn) in (10, 12)):
        raise FieldErrors({"organization_inn": "ИНН состоит из 10 или 12 цифр."})
    organization = db.session.scalar(
        select(Organization)
        .where(Organization.inn == inn)
        .order_by(
            case((Organization.is_active, 0), else_=1),
            case((Organization.kind == OrganizationKind.BRANCH, 1), else_=0),
            case((Organization.head_id.is_(None), 0), else_=1),
            Organization.id,
        )
        .limit(1)
    )
    if organization is None:
        raise FieldErrors({"organization_inn": f"Организация с ИНН {inn} не найдена в реестре."})
    if not organization.is_active:
        raise FieldErrors({"organization_inn": f"Организация с ИНН {inn} исключена из реестра (неактивна)."})
    return organization


SCHOOL_ADMIN_NEEDS_ORGANIZATION = "Администратор ОО должен быть привязан к организации: укажите ИНН организации."


def _role_change_problems(user: User, new_role: Role | None, organization: Organization | None,
                          actor_user_id: int | None) -> dict[str, str]:
    if actor_user_id is not None and actor_user_id == user.id:
        return {"role": "Нельзя изменить собственную роль. Попросите об этом другого администратора."}
    if new_role is None:
        return {}
    target_organization = organization or user.organization
    if new_role == Role.SCHOOL_ADMIN and target_organization is None:
        return {"organization_inn": SCHOOL_ADMIN_NEEDS_ORGANIZATION}
    if new_role == user.role and target_organization is user.organization:
        return {"role": "У пользователя уже эта роль и эта организация: изменять нечего."}
    return {}


def role_change_problems(user: User, role_value: str | None, inn: str | None, actor_user_id: int | None
                         ) -> dict[str, str]:
    """Everything wrong with a role change as the form gives it, at once: the ИНН, and the role (each checked
    as far as it can be while the other is wrong)."""
    errors: dict[str, str] = {}
    organization = None
    if inn:
        try:
            organization = organization_by_inn(inn)
        except FieldErrors as error:
            errors |= error.errors
    try:
        role = Role(role_value or "")
    except ValueError:
        role = None  # the form's choice list has said so
    # With a wrong ИНН, «nothing to change» or «needs an organisation» would mislead: only «not your own role».
    problems = _role_change_problems(user, None if errors else role, organization, actor_user_id)
    return errors | {name: message for name, message in problems.items() if name not in errors}


def change_role(user: User, new_role: Role, organization: Organization | None, actor: Actor) -> None:
    """Gives the user a new role; `organization` None keeps the current one. Nothing changes on an error."""
    if errors := _role_change_problems(user, new_role, organization, actor.user_id):
        raise FieldErrors(errors)

    from_role, from_organization_id = user.role, user.organization_id
    user.role = new_role
    if organization is not None:
        user.organization = organization
        user.workplace_text = None  # the typed workplace is matched now
    db.session.flush()
    audit.record(
        actor,
        "user.role_changed",
        user,
        from_role=from_role.value,
        to_role=new_role.value,
        organization_id=user.organization_id,
        from_organization_id=from_organization_id,
    )


# ------------------------------------------------------------------------------------- blocking


def block_user(user: User, reason: str, actor: Actor) -> int:
    """Blocks the account and ends its sessions at once; returns how many were live."""
    if actor.user_id is not None and actor.user_id == user.id:
        raise FieldErrors({"reason": "Нельзя заблокировать собственную учётную запись."})
    if user.blocked_at is not None:
        raise FieldErrors({"reason": "Учётная запись уже заблокирована."})
    reason = (reason or "").strip()
    if not reason:
        raise FieldErrors({"reason": "Укажите причину блокировки."})
    user.blocked_at = utcnow()
    user.block_reason = reason
    ended = end_all_sessions(user.id)
    audit.record(actor, "user.blocked", user, reason=reason, sessions_ended=ended)
    return ended


def unblock_user(user: User, actor: Actor) -> None:
    if user.blocked_at is None:
        raise FieldErrors({"unblock": "Учётная запись не заблокирована."})
    if user.consent_withdrawn_at is not None:
        # The person withdrew consent: their data is due for destruction, the account must stay closed.
        raise FieldErrors({"unblock": "Пользователь отозвал согласие на обработку персональных данных: "
                                      "разблокировать учётную запись нельзя."})
    user.blocked_at = None
    user.block_reason = None
    audit.record(actor, "user.unblocked", user)


# ------------------------------------------------------------------------------------- the command line


@dataclass(frozen=True)
class NewUser:
    email: str
    role: str
    password: str | None = None
    organization_inn: str | None = None
    last_name: str = ""
    first_name: str = ""


@dataclass(frozen=True)
class _CheckedUser:
    email: str
    role: Role
    organization: Organization | None


def _check_new_user(data: NewUser) -> tuple[_CheckedUser | None, dict[str, str]]:
    errors: dict[str, str] = {}
    email = ""
    try:
        email = validate_email(data.email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        errors["email"] = f"Адрес «{data.email}» не похож на адрес электронной почты (нужен вид name@example.ru)."
    else:
        if len(email) > 254:
            errors["email"] = "Адрес электронной почты длиннее 254 символов."
        elif find_user_by_email(email) is not None:
            errors["email"] = f"Пользователь с адресом {email} уже есть в ЦПП."
    role = organization = None
    try:
        role = parse_role(data.role)
    except FieldErrors as error:
        errors |= error.errors
    if data.organization_inn:
        try:
            organization = organization_by_inn(data.organization_inn)
        except FieldErrors as error:
            errors |= error.errors
    elif role == Role.SCHOOL_ADMIN:
        errors["organization_inn"] = SCHOOL_ADMIN_NEEDS_ORGANIZATION
    for name, value in (("last_name", data.last_name), ("first_name", data.first_name)):
        if len(value or "") > 100:
            errors[name] = "Имя и фамилия — не более 100 символов."
    if errors:
        return None, errors
    return _CheckedUser(email=email, role=role, organization=organization), {}


def new_user_problems(data: NewUser) -> dict[str, str]:
    """Everything wrong with the new account except its password, so it can be asked for last."""
    return _check_new_user(data)[1]


def create_user(data: NewUser, actor: Actor) -> User:
    """An account made by the operator. It has no consent yet: the consent gate asks for it at first sign-in."""
    checked, errors = _check_new_user(data)
    if checked is not None:
        password = data.password or ""
        personal = (checked.email, checked.email.split("@")[0], data.last_name, data.first_name)
        problems = password_problems(password, personal=personal)
        if problems:
            errors["password"] = problems[0]
    if errors:
        raise FieldErrors(errors)

    user = User(
        email=checked.email,
        password_hash=hash_password(data.password),
        last_name=(data.last_name or "").strip(),
        first_name=(data.first_name or "").strip(),
        role=checked.role,
        organization=checked.organization,
    )
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.created_by_cli", user, role=user.role.value, organization_id=user.organization_id)
    return user
