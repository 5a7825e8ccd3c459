"""Registration, sign-in and password reset."""
import hashlib
from contextlib import suppress
from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, null, or_
from sqlalchemy.exc import IntegrityError

from ... import audit
from ...domain import throttle
from ...domain.passwords import password_problems
from ...domain.phone import PhoneError, normalize_phone
from ...extensions import db
from ...kernel.actor import Actor
from ...kernel.plural import genitive, plural
from ...mail import send_mail
from ...models import LoginThrottle, Role, User, utcnow
from ...security import check_password, check_password_of_nobody, hash_password
from ...service_errors import FieldErrors
from ...urls import public_url_for
from ..organizations.lookup import Workplace
from ..privacy.services import current_document, grant_consent
from .addresses import (
    AddressTaken,
    accounts_holding,
    confirm_address,
    find_user_by_email,
    mail_confirmation_link,
    make_way_for_new_account,
)
from .sessions import end_all_sessions, start_session


@dataclass(frozen=True)
class Registration:
    last_name: str
    first_name: str
    middle_name: str
    phone: str
    email: str
    settlement: str
    workplace: Workplace  # resolved by the form: an organisation, or text the person said is not in the registry
    password: str
    consent_version: int | None


def find_user_by_id(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def register_teacher(data: Registration, actor: Actor) -> User | None:
    """A new unconfirmed account and a confirmation mail; None when the address is already confirmed by someone,
    whose owner is told instead. Either way the person registering sees the same answer."""
    errors: dict[str, str] = {}
    email = data.email.strip().lower()
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

    holders = accounts_holding(email)
    if holders and holders[0].email_confirmed:
        check_password_of_nobody(data.password)  # as long as hashing the new password below
        audit.record(actor, "user.registration_attempt_on_taken_address", holders[0])
        mail_registration_attempt(holders[0])
        return None
    make_way_for_new_account(holders)

    organization, workplace_text = data.workplace.organization, data.workplace.unmatched
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
        email_confirmed_at=null(),  # SQL NULL: a plain None would let the column's default confirm it
    )
    db.session.add(user)
    db.session.flush()
    grant_consent(user, document, actor)
    audit.record(actor, "user.registered", user, organization_id=user.organization_id)
    mail_confirmation_link(user, email)
    return user


def mail_registration_attempt(owner: User) -> None:
    send_mail(
        owner.email,
        "Попытка регистрации в ЦПП с вашим адресом",
        f"Здравствуйте, {owner.first_name}!\n\n"
        "Кто-то (возможно, вы) пытался зарегистрироваться в сервисе «Цифровой профиль педагога» КК ИПК "
        "с этим адресом электронной почты. Учётная запись с этим адресом у вас уже есть, новая не создана.\n\n"
        f"Войти: {public_url_for('auth.login')}\n"
        f"Если вы не помните пароль, задайте новый: {public_url_for('auth.forgot_password')}\n\n"
        "Если это были не вы, ничего делать не нужно.\n",
        capped=True,
    )


class SignInRefused(Exception):
    pass


WRONG_CREDENTIALS = "Неверный адрес электронной почты или пароль."


def _throttle_keys(email: str, ip: str | None, known_device: bool) -> list[tuple[str, throttle.Policy]]:
    """The counters a sign-in to `email` from `ip` is judged by: the account from this address, the address
    itself, and — unless this browser signed in to the account before — the account from everywhere."""
    keys = [(throttle.account_from_address_key(email, ip), throttle.ACCOUNT_POLICY), (f"ip:{ip}", throttle.ADDRESS_POLICY)]
    if not known_device:
        keys.append((throttle.account_key(email), throttle.ACCOUNT_WIDE_POLICY))
    return keys


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


def _matching_account(candidates: list[User], password: str) -> User | None:
    """The account whose password this is; a check against a dummy hash when no account has the address, so
    a known and an unknown address take the same time."""
    if not candidates:
        check_password_of_nobody(password)
    return next((user for user in candidates if check_password(user, password)), None)


def authenticate(email: str, password: str, actor: Actor, known_account_ids: frozenset[int] = frozenset()) -> User:
    """The user, or SignInRefused with the reason. Failures are counted per account and address, per address,
    and per account from everywhere (which a browser the account signed in from before is spared).

    Only failures write counters, so successful sign-ins (the common case) add no rows.
    """
    email = email.strip().lower()
    now = utcnow()
    candidates = accounts_holding(email)  # one query for the device check and the password check
    known_device = any(user.id in known_account_ids for user in candidates)
    keys = _throttle_keys(email, actor.ip, known_device)
    rows = {key: db.session.get(LoginThrottle, key) for key, _ in keys}
    for key, policy in keys:
        row = rows[key]
        if row is not None:
            decision = throttle.decide(policy, row.failures, row.last_failure_at, now)
            if not decision.allowed:
                raise SignInRefused(throttle.wait_message(decision))

    user = _matching_account(candidates, password)
    if user is None:
        # The account-wide counter counts every failure, a known browser's included.
        keys = _throttle_keys(email, actor.ip, known_device=False)
        locked_by = []
        for key, policy in keys:
            row = _counter_row(key)
            row.failures = throttle.current_failures(row.failures, row.last_failure_at, now) + 1
            row.last_failure_at = now
            if policy is not throttle.ADDRESS_POLICY and throttle.locks_now(policy, row.failures):
                locked_by.append(policy)
        owner = find_user_by_email(email) if locked_by else None
        if owner is not None and owner.is_active:
            mail_lock_out(owner, locked_by[0])
        raise SignInRefused(WRONG_CREDENTIALS)
    if not user.is_active:
        raise SignInRefused("Учётная запись заблокирована. Обратитесь к администратору ЦПП.")
    pair_key = keys[0][0]
    if rows[pair_key] is not None:
        # A bulk delete: two simultaneous sign-ins to one account must not trip over a row already gone.
        db.session.execute(delete(LoginThrottle).where(LoginThrottle.key == pair_key))
    return user


def mail_lock_out(user: User, policy: throttle.Policy) -> None:
    """One mail when a lock-out starts: the owner learns of the guessing and gets a way back in."""
    minutes = int(policy.lock_duration.total_seconds() // 60)
    where = ("с одного сетевого адреса" if policy is throttle.ACCOUNT_POLICY
             else "с разных сетевых адресов")
    send_mail(
        user.email,
        "Вход в ЦПП временно ограничен",
        f"Здравствуйте, {user.first_name}!\n\n"
        f"В вашу учётную запись в сервисе «Цифровой профиль педагога» КК ИПК {policy.lock_after} {plural(policy.lock_after, 'раз', 'раза', 'раз')} подряд "
        f"пытались войти с неверным паролем {where}. Вход оттуда ограничен на {minutes} {plural(minutes, 'минуту', 'минуты', 'минут')}.\n\n"
        "С устройств, с которых вы уже входили в ЦПП, вход с верным паролем работает как обычно.\n\n"
        "Если это были вы и вы не помните пароль, задайте новый по ссылке (она действует "
        f"{current_app.config['PASSWORD_RESET_MAX_AGE'] // 60} минут):\n\n"
        f"{public_url_for('auth.reset_password', token=make_reset_token(user))}\n\n"
        "Если это были не вы, пароль пока в безопасности; если он простой или используется на других сайтах, "
        "смените его.\n",
        capped=True,
    )


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
        f"Чтобы задать новый пароль, откройте ссылку в течение {minutes} {genitive(minutes, 'минуты', 'минут')}:\n\n{link}\n\n"
        "Ссылка действует один раз. Если вы не запрашивали смену пароля, просто проигнорируйте это письмо.\n",
        capped=True,
    )


def reset_password(user: User, password: str, actor: Actor) -> None:
    problems = password_problems(password, personal=personal_data(user))
    if problems:
        raise FieldErrors({"password": problems[0]})
    user.password_hash = hash_password(password)
    end_all_sessions(user.id)
    # The owner is back in: the account's counters (from everywhere and from each address) start afresh.
    db.session.execute(delete(LoginThrottle).where(or_(
        LoginThrottle.key == throttle.account_key(user.email),
        LoginThrottle.key.startswith(throttle.account_from_address_prefix(user.email), autoescape=True),
    )))
    audit.record(actor, "user.password_reset", user)
    if not user.email_confirmed:
        # The link came to the address, so its owner opened it — unless another account confirmed it meanwhile.
        with suppress(AddressTaken):
            confirm_address(user, user.email, actor)
