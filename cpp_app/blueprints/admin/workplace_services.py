"""Typed workplaces that matched no registry organisation: suggestions and the methodologist's match."""
import re
from dataclasses import dataclass

from sqlalchemy import func, select

from ... import audit
from ...domain.org_names import WEAK_WORDS
from ...extensions import db
from ...kernel.actor import Actor
from ...models import Organization, User
from ...queries import Page, fold, paginate
from ...service_errors import FieldErrors
from ..organizations.services import search_organizations
from .services import organization_by_inn

PER_PAGE = 25
SUGGESTIONS = 3
MAX_SEARCH_WORDS = 5


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", fold(text))


def _stem(word: str) -> str:
    # Typed names come declined («в Петропавловской школе»): compare the beginning of longer words.
    return word[:-2] if len(word) >= 6 and not word.isdigit() else word


def search_words(text: str) -> list[str]:
    """The words of a typed workplace worth a registry search: distinctive ones first, numbers after."""
    words = list(dict.fromkeys(_words(text)))
    distinctive = sorted((w for w in words if len(w) >= 3 and not w.isdigit() and w not in WEAK_WORDS),
                         key=len, reverse=True)
    numbers = [w for w in words if w.isdigit() and len(w) >= 2]
    chosen = [_stem(w) for w in distinctive] + numbers
    if not chosen:
        chosen = [_stem(w) for w in words if len(w) >= 3 and not w.isdigit()]
    return chosen[:MAX_SEARCH_WORDS]


def score(text: str, organization: Organization) -> int:
    """How well an organisation fits the typed text; 0 when only generic words agree."""
    names = _words(f"{organization.short_name} {organization.full_name} {organization.municipality.name}")
    weight = 0
    distinctive_hit = False
    for word in dict.fromkeys(_words(text)):
        if word.isdigit():
            hit, points = word in names, 2  # «№ 5» must not match «№ 15»
        else:
            stem = _stem(word)
            hit, points = any(name.startswith(stem) for name in names), (1 if word in WEAK_WORDS else 3)
        if hit:
            weight += points
            distinctive_hit = distinctive_hit or points > 1
    return weight if distinctive_hit else 0


def suggest_organizations(text: str, limit: int = SUGGESTIONS, cache: dict | None = None) -> list[Organization]:
    """Up to `limit` registry organisations the typed workplace most likely names, best first."""
    cache = {} if cache is None else cache
    candidates: dict[int, Organization] = {}
    for word in search_words(text):
        if word not in cache:
            cache[word] = search_organizations(word, limit=50)
        candidates.update((organization.id, organization) for organization in cache[word])
    ranked = sorted(
        ((score(text, organization), organization) for organization in candidates.values()),
        key=lambda pair: (-pair[0], pair[1].short_name, pair[1].id),
    )
    return [organization for points, organization in ranked if points > 0][:limit]


def _unmatched():
    # Unconfirmed accounts wait for their owner's confirmation before anyone matches them to a school.
    return (User.organization_id.is_(None), User.workplace_text.is_not(None), User.email_confirmed)


def unmatched_count() -> int:
    return db.session.scalar(select(func.count(User.id)).where(*_unmatched())) or 0


@dataclass(frozen=True)
class WorkplacePage:
    result: Page[User]
    suggestions: dict[int, list[Organization]]


def unmatched_workplaces(page: int = 1, per_page: int = PER_PAGE) -> WorkplacePage:
    """Users waiting for their typed workplace to be matched, oldest first, with suggestions."""
    result = paginate(select(User).where(*_unmatched()).order_by(User.created_at, User.id), page, per_page)
    cache: dict[str, list[Organization]] = {}  # pages repeat the same town and school words
    return WorkplacePage(result, {user.id: suggest_organizations(user.workplace_text, cache=cache) for user in result.items})


def get_user(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def is_unmatched(user: User) -> bool:
    return user.organization_id is None and user.workplace_text is not None


def choose_organization(organization_id: int | None, inn: str | None) -> Organization:
    """The organisation picked by a suggestion button or typed as an INN."""
    if organization_id:
        organization = db.session.get(Organization, organization_id)
        if organization is None or not organization.is_active:
            raise FieldErrors({"organization_id": "Эта организация не найдена в реестре или исключена из него."})
        return organization
    if inn:
        return organization_by_inn(inn)
    raise FieldErrors({"inn": "Выберите организацию из предложенных или укажите её ИНН."})


def match_workplace(user: User, organization: Organization, actor: Actor) -> None:
    """Binds the user to the organisation; the school still confirms that they work there."""
    if not is_unmatched(user):
        raise FieldErrors({"organization_id": f"Место работы пользователя {user.full_name} уже сопоставлено."})
    typed = user.workplace_text
    user.organization_id = organization.id
    user.workplace_text = None
    user.confirmed_at = None
    db.session.flush()
    audit.record(actor, "user.workplace_matched", user, organization_id=organization.id, workplace_text=typed)
