"""The second factor of staff sign-ins: a six-digit one-time code mailed to the user."""
import hashlib
import hmac
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select, update

from ... import audit
from ...extensions import db
from ...kernel.actor import Actor
from ...kernel.plural import plural
from ...mail import send_mail
from ...models import LoginCode, Role, User, utcnow
from .services import SignInRefused

# Methodologists and admins see the whole region's personal data: a password alone is not enough.
SECOND_FACTOR_ROLES = frozenset({Role.METHODOLOGIST, Role.ADMIN})
# Every code allows a few tries; capping the codes per hour caps the guesses at the whole account.
MAX_CODES_PER_HOUR = 10

CODE_EXPIRED = "Срок действия кода истёк или код уже использован. Войдите снова — мы пришлём новый код."
CODE_EXHAUSTED = "Слишком много неверных попыток ввода кода. Войдите снова — мы пришлём новый код."
ACCOUNT_BLOCKED = "Учётная запись заблокирована. Обратитесь к администратору ЦПП."


class WrongCode(Exception):
    def __init__(self, remaining: int):
        super().__init__(remaining)
        self.remaining = remaining

    @property
    def message(self) -> str:
        return f"Неверный код. Осталось попыток: {self.remaining}."


def needs_second_factor(user: User) -> bool:
    return user.role in SECOND_FACTOR_ROLES


def _code_hash(user_id: int, code: str) -> str:
    # Keyed with the app secret: six digits alone would fall to a lookup table if the database leaked.
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"login-code:{user_id}:{code}".encode(), hashlib.sha256).hexdigest()


def issue_login_code(user: User) -> LoginCode:
    """A fresh code, mailed; every older code of the user stops working."""
    now = utcnow()
    recent = db.session.scalar(
        select(func.count(LoginCode.id)).where(LoginCode.user_id == user.id, LoginCode.created_at > now - timedelta(hours=1))
    )
    if recent >= MAX_CODES_PER_HOUR:
        raise SignInRefused("Слишком много запросов кода для входа за последний час. Попробуйте позже.")
    db.session.execute(
        update(LoginCode)
        .where(LoginCode.user_id == user.id, LoginCode.used_at.is_(None), LoginCode.expires_at > now)
        .values(expires_at=now)
    )
    minutes = current_app.config["LOGIN_CODE_TTL_MINUTES"]
    code = f"{secrets.randbelow(1_000_000):06d}"
    login_code = LoginCode(
        user_id=user.id, code_hash=_code_hash(user.id, code), created_at=now,
        expires_at=now + timedelta(minutes=minutes), attempts=0,
    )
    db.session.add(login_code)
    db.session.flush()
    send_mail(
        user.email,
        "Код для входа в ЦПП",
        f"Здравствуйте, {user.first_name}!\n\n"
        "Для входа в сервис «Цифровой профиль педагога» КК ИПК введите на странице входа код:\n\n"
        f"Код: {code}\n\n"
        f"Код действует {minutes} {plural(minutes, 'минуту', 'минуты', 'минут')} и только один раз. Никому его не сообщайте: сотрудники КК ИПК "
        "никогда не спрашивают коды.\n"
        "Если вы не входили в ЦПП, кто-то знает ваш пароль: смените его в личном кабинете "
        "(раздел «Безопасность») или восстановите на странице входа.\n",
    )
    return login_code


def verify_login_code(user_id: int, code_id: int, code: str, actor: Actor) -> User:
    """The user once the code matches; WrongCode with the tries left, or SignInRefused when the code is done for."""
    now = utcnow()
    max_attempts = current_app.config["LOGIN_CODE_MAX_ATTEMPTS"]
    login_code = db.session.get(LoginCode, code_id)
    user = db.session.get(User, user_id)
    if login_code is None or user is None or login_code.user_id != user.id:
        raise SignInRefused(CODE_EXPIRED)
    if not user.is_active:
        raise SignInRefused(ACCOUNT_BLOCKED)
    if login_code.used_at is not None or login_code.expires_at <= now:
        raise SignInRefused(CODE_EXPIRED)
    if login_code.attempts >= max_attempts:
        raise SignInRefused(CODE_EXHAUSTED)
    live = (LoginCode.id == login_code.id, LoginCode.used_at.is_(None), LoginCode.attempts < max_attempts)
    if not hmac.compare_digest(login_code.code_hash, _code_hash(user.id, code)):
        # Counted in the database, so parallel guesses cannot get past the limit.
        counted = db.session.execute(
            update(LoginCode).where(*live).values(attempts=LoginCode.attempts + 1).execution_options(synchronize_session=False)
        ).rowcount
        attempts = db.session.scalar(select(LoginCode.attempts).where(LoginCode.id == login_code.id))
        if not counted or attempts >= max_attempts:
            if counted:
                audit.record(actor, "user.login_code_exhausted", user)
            raise SignInRefused(CODE_EXHAUSTED)
        raise WrongCode(max_attempts - attempts)
    # Spent in one statement: of two simultaneous submissions of the right code only one signs in.
    spent = db.session.execute(
        update(LoginCode).where(*live, LoginCode.expires_at > now).values(used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not spent:
        raise SignInRefused(CODE_EXPIRED)
    return user
