"""E-mail addresses and their confirmation.

An address belongs to the account that confirmed it — by opening a signed, expiring, single-use link mailed to
it. Until then an account may sign in and fill its profile, but counts nowhere (staff lists and figures,
register matching, monitoring, diagnostics), and several unconfirmed accounts may name one address: whoever
really owns the mailbox takes it by confirming, and the others are removed with their data.
"""
from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select

from ... import audit
from ...extensions import db
from ...kernel.actor import Actor
from ...kernel.plural import genitive
from ...mail import send_mail
from ...models import User, utcnow
from ...urls import public_url_for
from ..privacy.unconfirmed import remove_unconfirmed_account

# Unconfirmed accounts one address may have at once; the oldest makes way, so the owner always gets one.
MAX_UNCONFIRMED_PER_ADDRESS = 3


class AddressTaken(Exception):
    """Another account confirmed this address first."""


def accounts_holding(email: str) -> list[User]:
    """The confirmed holder alone when there is one; otherwise the unconfirmed accounts naming it, newest first."""
    holders = list(db.session.scalars(
        select(User)
        .where(User.email == email.strip().lower())
        .order_by(User.email_confirmed_at.is_(None), User.id.desc())
        .limit(MAX_UNCONFIRMED_PER_ADDRESS + 1)
    ))
    return holders[:1] if holders and holders[0].email_confirmed else holders


def find_user_by_email(email: str) -> User | None:
    """The account holding the address: the one that confirmed it, else the newest that has not yet."""
    return next(iter(accounts_holding(email)), None)


def make_way_for_new_account(holders: list[User]) -> None:
    """Keeps room for one more unconfirmed account at an address by removing the oldest ones."""
    for stale in holders[MAX_UNCONFIRMED_PER_ADDRESS - 1:]:
        remove_unconfirmed_account(stale)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="email-confirmation")


def confirmation_token(user: User, address: str) -> str:
    return _serializer().dumps({"u": user.id, "e": address})


def awaiting_confirmation(user: User) -> str | None:
    """The address this account waits to have confirmed: a new one asked for, or its own unconfirmed one."""
    if user.pending_email:
        return user.pending_email
    return None if user.email_confirmed else user.email


def from_confirmation_token(token: str) -> tuple[User, str] | None:
    """The account and the address a link confirms, while it still waits for exactly that address; once used
    (or overtaken by another request) the link stops working."""
    try:
        payload = _serializer().loads(token, max_age=current_app.config["EMAIL_CONFIRMATION_MAX_AGE"])
    except BadSignature:  # SignatureExpired included
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("u"), int):
        return None
    user = db.session.get(User, payload["u"])
    if user is None or not user.is_active or user.anonymized_at is not None:
        return None
    address = payload.get("e")
    return (user, address) if address and address == awaiting_confirmation(user) else None


def mail_confirmation_link(user: User, address: str) -> None:
    hours = current_app.config["EMAIL_CONFIRMATION_MAX_AGE"] // 3600
    change = address != user.email
    send_mail(
        address,
        "Подтвердите адрес электронной почты в ЦПП",
        f"Здравствуйте, {user.first_name}!\n\n"
        + ("В сервисе «Цифровой профиль педагога» КК ИПК для вашей учётной записи указан новый адрес "
           "электронной почты — этот.\n" if change else
           "Вы зарегистрировались в сервисе «Цифровой профиль педагога» КК ИПК с этим адресом.\n")
        + f"Чтобы подтвердить адрес, откройте ссылку в течение {hours} {genitive(hours, 'часа', 'часов')}:\n\n"
        f"{public_url_for('auth.confirm_email', token=confirmation_token(user, address))}\n\n"
        + ("Пока адрес не подтверждён, для входа служит прежний.\n" if change else
           "Пока адрес не подтверждён, вы можете войти и заполнить профиль, но ваша образовательная организация "
           "вас не видит. Неподтверждённая учётная запись удаляется через "
           f"{current_app.config['UNCONFIRMED_ACCOUNT_DAYS']} дней.\n")
        + "\nЕсли вы не регистрировались в ЦПП, просто проигнорируйте это письмо.\n",
        capped=True,
    )


def confirm_address(user: User, address: str, actor: Actor) -> None:
    """Makes `address` the account's confirmed one; unconfirmed accounts naming it are removed with their data."""
    others = [holder for holder in accounts_holding(address) if holder.id != user.id]
    if others and others[0].email_confirmed:
        raise AddressTaken(address)
    for other in others:
        remove_unconfirmed_account(other)
    db.session.flush()  # the removed accounts' rows go before this one claims the address
    old_address, was_confirmed = user.email, user.email_confirmed
    user.email, user.pending_email = address, None
    user.email_confirmed_at = utcnow()
    db.session.flush()
    audit.record(actor, "user.email_confirmed", user, replaced_unconfirmed_accounts=len(others))
    if was_confirmed and old_address != address:
        audit.record(actor, "user.email_changed", user, from_email=old_address, to_email=address)
        # The old address learns of it: the owner notices if someone else made the change.
        send_mail(
            old_address,
            "Адрес электронной почты в ЦПП изменён",
            f"Здравствуйте, {user.first_name}!\n\n"
            "Адрес электронной почты вашей учётной записи в сервисе «Цифровой профиль педагога» КК ИПК "
            f"изменён на {address}.\n"
            "Входите в ЦПП с новым адресом.\n\n"
            "Если вы не меняли адрес, срочно обратитесь к администратору ЦПП.\n",
        )
