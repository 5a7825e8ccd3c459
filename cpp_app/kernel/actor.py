"""Who acts and from where: what services need of the request, and no more."""
from dataclasses import dataclass

from flask import request
from flask_login import current_user


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    ip: str | None
    user_agent: str | None


SYSTEM = Actor(None, None, None)  # timers, seeds and the purge: no person, no address


def request_actor() -> Actor:
    user_id = current_user.id if current_user.is_authenticated else None
    return Actor(user_id=user_id, ip=request.remote_addr, user_agent=request.headers.get("User-Agent", "")[:500])
