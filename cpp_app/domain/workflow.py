"""The diagnostic's life: draft → submitted → returned (editable again) or accepted."""
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    actor_roles: frozenset[str]
    needs_note: bool = False


SCHOOL = frozenset({"school_admin"})
REVIEWERS = frozenset({"methodologist", "admin"})

TRANSITIONS = {
    "submit": (
        Transition("draft", "submitted", SCHOOL),
        Transition("returned", "submitted", SCHOOL),
    ),
    "return": (Transition("submitted", "returned", REVIEWERS, needs_note=True),),
    "accept": (Transition("submitted", "accepted", REVIEWERS),),
}

EDITABLE_STATUSES = frozenset({"draft", "returned"})


class TransitionRefused(Exception):
    """The action is not allowed now; the message is for the user."""


REFUSALS = {
    "submit": "Отправить можно только черновик или возвращённую на доработку самодиагностику.",
    "return": "Вернуть на доработку можно только самодиагностику, которая находится на проверке.",
    "accept": "Принять можно только самодиагностику, которая находится на проверке.",
}


def transition_for(action: str, status: str, role: str) -> Transition:
    """The transition `action` makes from `status` for a user of `role`, or TransitionRefused."""
    for transition in TRANSITIONS.get(action, ()):
        if transition.source == status:
            if role not in transition.actor_roles:
                raise TransitionRefused("У вас нет прав на это действие.")
            return transition
    raise TransitionRefused(REFUSALS.get(action, "Неизвестное действие."))


def is_editable(status: str) -> bool:
    return status in EDITABLE_STATUSES


def school_year(today: date) -> str:
    """The school year runs from 1 September: 29.11.2026 → «2026/2027», 15.05.2027 → «2026/2027»."""
    start = today.year if today.month >= 9 else today.year - 1
    return f"{start}/{start + 1}"
