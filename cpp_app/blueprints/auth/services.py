"""Registration, sign-in and password reset."""
import hashlib
from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from ... import audit
from ...domain import throttle
from ...domain.passwords import password_problems
from ...domain.phone import PhoneError, normalize_phone
from ...extensions import db
from ...mail import send_mail
from ...models import LoginThrottle, Role, User, utcnow
from ...security import Actor, check_password, hash_password
from ...service_errors import FieldErrors
from ...urls import public_url_for
from ..organizations.services import resolve_workplace
from ..privacy.services import current_document, grant_consent
from .sessions import end_all_sessions, start_session


@dataclass(frozen=True)
class Registration:
    last_name: str
    first_name: str
    middle_name: str
    phone: str
    email: str
    settlement: str
    workplace: str
    organization_id: int | None
    password: str
    consent_version: int | None


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def find_user_by_id(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def register_teacher(data: Registration, actor: Actor) -> User:
    errors: dict[str, str] = {}
    email = data.email.strip().lower()
    if find_user_by_email(email) is not None:
        errors["email"] = "Этот адрес уже зарегистрирован. Войдите или восстановите пароль."
    try:
        phone = normalize_phone(data.phone)
    except PhoneError as error:
        errors["phone"] = str(error)
    problems = password_problems(data.password, personal=(email, email.split("@")[0], data.last_name, data.first_name))
    if problems:
        errors["password"] = problems[0]
    document = current_document()
    if data.consent_version != document.version:
        errors["consent"] = "Текст согласия обновился. Ознакомьтесь с новой редакцией и подтвердите согласие."
    if errors:
        raise FieldErrors(errors)

    organization, workplace_text = resolve_workplace(data.workplace, data.organization_id)
    user = User(
        email=email,
        password_hash=hash_password(data.password),
        last_name=data.last_name,
        first_name=data.first_name,
        middle_name=data.middle_name or None,
        phone=phone,
        settlement=data.settlement,
        organization=organization,
        workplace_text=workplace_text,
        role=Role.TEACHER,
    )
    db.session.add(user)
    db.session.flush()
    grant_consent(user, document, actor)
    audit.record(actor, "user.registered", user, organization_id=user.organization_id)
    return user


class SignInRefused(Exception):
    pass


WRONG_CREDENTIALS = "Неверный адрес электронной почты или пароль."


def _throttle_keys(email: str, ip: str | None) -> list[tuple[str, throttle.Policy]]:
    # One account is guessed at from anywhere; one address may be a whole school behind NAT.
    return [(f"email:{email}", throttle.ACCOUNT_POLICY), (f"ip:{ip}", throttle.ADDRESS_POLICY)]


def _counter_row(key: str) -> LoginThrottle:
    """The failure counter of `key`, locked for the update; a simultaneous first failure may have created it."""
    row = db.session.get(LoginThrottle, key, with_for_update=True, populate_existing=True)
    if row is not None:
        return row
    try:
        with db.session.begin_nested():
            row = LoginThrottle(key=key, failures=0)
            db.session.add(row)
        return row
    except IntegrityError:
        return db.session.get(LoginThrottle, key, with_for_update=True, populate_existing=True)


def authenticate(email: str, password: str, actor: Actor) -> User:
    """The user, or SignInRefused with the reason; failures are counted per account and per address.

    Only failures write counters, so successful sign-ins (the common case) add no rows.
    """
    email = email.strip().lower()
    now = utcnow()
    keys = _throttle_keys(email, actor.ip)
    rows = {key: db.session.get(LoginThrottle, key) for key, _ in keys}
    for key, policy in keys:
        row = rows[key]
        if row is not None:
            decision = throttle.decide(policy, row.failures, row.last_failure_at, now)
            if not decision.allowed:
                raise SignInRefused(throttle.wait_message(decision))

    user = find_user_by_email(email)
    if user is None or not check_password(user, password):
        for key, _ in keys:
            row = _counter_row(key)
            row.failures = throttle.current_failures(row.failures, row.last_failure_at, now) + 1
            row.last_failure_at = now
        raise SignInRefused(WRONG_CREDENTIALS)
    if not user.is_active:
        raise SignInRefused("Учётная запись заблокирована. Обратитесь к администратору ЦПП.")
    if rows[keys[0][0]] is not None:
        # A bulk delete: two simultaneous sign-ins to one account must not trip over a row already gone.
        db.session.execute(delete(LoginThrottle).where(LoginThrottle.key == keys[0][0]))
    return user


def sign_in(user: User, remember: bool, actor: Actor, second_factor: str | None = None) -> str:
    """Starts the session of a user who has passed every check; returns its token."""
    token = start_session(user, remember=remember, actor=actor)
    signed_in = Actor(user.id, actor.ip, actor.user_agent)
    details = {"second_factor": second_factor} if second_factor else {}
    audit.record(signed_in, "user.signed_in", user, remember=remember, **details)
    return token


def personal_data(user: User) -> tuple[str, ...]:
    """What a password must not contain."""
    return user.email, user.email.split("@")[0], user.last_name, user.first_name


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def _password_fingerprint(user: User) -> str:
    # Changes with every new hash, so a used link (or one issued before a change) stops working.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:20]


def make_reset_token(user: User) -> str:
    return _reset_serializer().dumps({"u": user.id, "f": _password_fingerprint(user)})


def user_from_reset_token(token: str) -> User | None:
    try:
        payload = _reset_serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except (SignatureExpired, BadSignature):
        return None
    user = db.session.get(User, payload.get("u")) if isinstance(payload, dict) else None
    if user is None or not user.is_active or payload.get("f") != _password_fingerprint(user):
        return None
    return user


def request_password_reset(email: str) -> None:
    """Mails a link when the address is known; says nothing either way, so addresses cannot be probed."""
    user = find_user_by_email(email)
    if user is None or not user.is_active:
        return
    link = public_url_for("auth.reset_password", token=make_reset_token(user))
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    send_mail(
        user.email,
        "Восстановление пароля в ЦПП",
        f"Здравствуйте, {user.first_name}!\n\n"
        "Кто-то (возможно, вы) запросил смену пароля в сервисе «Цифровой профиль педагога» КК ИПК.\n"
        f"Чтобы задать новый пароль, откройте ссылку в течение {minutes} минут:\n\n{link}\n\n"
        "Ссылка действует один раз. Если вы не запрашивали смену пароля, просто проигнорируйте это письмо.\n",
    )


def reset_password(user: User, password: str, actor: Actor) -> None:
    problems = password_problems(password, personal=personal_data(user))
    if problems:
        raise FieldErrors({"password": problems[0]})
    user.password_hash = hash_password(password)
    end_all_sessions(user.id)
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.key == f"email:{user.email}"))
    audit.record(actor, "user.password_reset", user)
