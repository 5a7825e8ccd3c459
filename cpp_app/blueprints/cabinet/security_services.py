"""The user's own sign-in security: live sessions on their devices, signing out everywhere, changing the password."""
from dataclasses import dataclass
from datetime import datetime

from ... import audit
from ...domain.passwords import password_problems
from ...extensions import db
from ...formatting import local_datetime
from ...kernel.actor import Actor
from ...mail import send_mail
from ...models import User, utcnow
from ...security import check_password, hash_password
from ...service_errors import FieldErrors
from ...urls import public_url_for
from ..auth.services import personal_data
from ..auth.sessions import active_sessions, end_all_sessions, end_other_session, token_hash

# Checked in order: Edge, Opera and Yandex say «Chrome» too, Chrome says «Safari», Android says «Linux».
_BROWSERS = (
    ("YaBrowser/", "Яндекс Браузер"), ("Edg", "Microsoft Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"), ("Chromium/", "Chromium"), ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("Windows", "Windows"), ("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"), ("CrOS", "ChromeOS"),
    ("Mac OS X", "macOS"), ("Linux", "Linux"),
)


def describe_user_agent(user_agent: str | None) -> str:
    """«Chrome, Windows» from a browser's User-Agent header; a person recognises their device by it."""
    text = user_agent or ""
    browser = next((name for marker, name in _BROWSERS if marker in text), None)
    system = next((name for marker, name in _SYSTEMS if marker in text), None)
    if browser and system:
        return f"{browser}, {system}"
    return browser or system or "Неизвестное устройство"


@dataclass(frozen=True)
class SessionRow:
    id: int
    device: str
    ip: str | None
    started_at: datetime
    last_seen_at: datetime
    remember: bool
    is_current: bool


def session_rows(user: User, current_token: str | None) -> list[SessionRow]:
    """The user's live sessions, this device's first."""
    current_hash = token_hash(current_token) if current_token else None
    rows = [
        SessionRow(
            id=item.id,
            device=describe_user_agent(item.user_agent),
            ip=item.ip,
            started_at=item.created_at,
            last_seen_at=item.last_seen_at,
            remember=item.remember,
            is_current=item.token_hash == current_hash,
        )
        for item in active_sessions(user.id)
    ]
    return sorted(rows, key=lambda row: not row.is_current)


def end_device_session(user: User, session_id: int, current_token: str | None, actor: Actor) -> bool:
    """Ends one of the user's other live sessions; False when there is none with this id."""
    if not end_other_session(user.id, session_id, current_token):
        return False
    audit.record(actor, "user.session_ended", user, session_id=session_id)
    return True


def sign_out_everywhere(user: User, actor: Actor) -> int:
    ended = end_all_sessions(user.id)
    audit.record(actor, "user.signed_out_everywhere", user, sessions_ended=ended)
    return ended


def password_change_problems(user: User, current_password: str | None, new_password: str | None) -> dict[str, str]:
    """What the form cannot know: whether the current password is right and the new one differs from it."""
    if not check_password(user, current_password or ""):
        return {"current_password": "Неверный текущий пароль."}  # nosec B105 # a message, not a password
    if new_password and new_password == current_password:
        return {"new_password": "Новый пароль совпадает с текущим. Придумайте другой."}  # nosec B105 # a message
    return {}


def change_password(user: User, current_password: str, new_password: str, current_token: str | None,
                    actor: Actor) -> int:
    """Sets a new password; every other session ends, this one stays. Returns how many sessions ended."""
    errors = password_change_problems(user, current_password, new_password)
    if not errors and (problems := password_problems(new_password, personal=personal_data(user))):
        errors["new_password"] = problems[0]
    if errors:
        raise FieldErrors(errors)
    user.password_hash = hash_password(new_password)
    ended = end_all_sessions(user.id, except_token=current_token)
    db.session.flush()
    audit.record(actor, "user.password_changed", user, sessions_ended=ended)
    # The owner learns of the change even if it was not them who made it.
    send_mail(
        user.email,
        "Пароль в ЦПП изменён",
        f"Здравствуйте, {user.first_name}!\n\n"
        f"{local_datetime(utcnow())} (красноярское время) пароль вашей учётной записи в сервисе «Цифровой профиль педагога» "
        "КК ИПК был изменён в личном кабинете. Сеансы на других устройствах завершены.\n\n"
        "Если это сделали не вы, немедленно восстановите пароль:\n\n"
        f"{public_url_for('auth.forgot_password')}\n\n"
        "и сообщите администратору ЦПП.\n",
    )
    return ended
