"""The workplace field of the registration and profile forms: typed text, the picked suggestion, the answer to
«Выберите вашу организацию». Rendered by _macros/workplace.html."""
from wtforms import HiddenField, RadioField, StringField
from wtforms.validators import ValidationError

from ...converters import parse_id
from ...kernel.forms import max_length, required, strip_filter
from .lookup import NONE_OF_THESE, Workplace, find_organizations, resolve_workplace


def workplace_fields(required_message: str | None = None) -> tuple[StringField, HiddenField, RadioField, HiddenField]:
    """The form's `workplace, organization_id, workplace_choice, workplace_asked`, in that order."""
    validators = [required(required_message)] if required_message else []
    return (
        StringField("Место работы", filters=[strip_filter], validators=[*validators, max_length(500)]),
        HiddenField(),  # set by the suggestions script while the text reads the suggestion's label
        # An organisation id or lookup.NONE_OF_THESE; the choices are the search results, checked by resolve_workplace.
        RadioField("Выберите вашу организацию", choices=[], validate_choice=False),
        HiddenField(),  # the text the choice was offered for
    )


def check_workplace(form, field) -> None:
    """A form's `validate_workplace`: resolves the text into `form.workplace_result` (None when it is the
    unchanged `form.current_workplace`), or asks the person to choose."""
    form.workplace_result = None
    text = " ".join((field.data or "").split())
    answered = bool(form.workplace_choice.data) and " ".join((form.workplace_asked.data or "").split()) == text
    if text == getattr(form, "current_workplace", None) and not answered:
        return
    settlement = form.settlement.data if "settlement" in form else None
    result = resolve_workplace(text, settlement, parse_id(form.organization_id.data), form.workplace_choice.data,
                               form.workplace_asked.data)
    form.workplace_result = result
    if not result.settled:
        form.workplace_asked.data = text
        form.workplace_choice.data = None
        raise ValidationError(result.question)


def offer_registry_matches(form, text: str, settlement: str | None) -> None:
    """For a workplace awaiting a methodologist's match: the registry organisations its text may name, offered
    as the choice, with «not in the list» (keeping it as it is) checked."""
    choices = [found.organization for found in find_organizations(text, settlement)]
    if choices:
        form.workplace_result = Workplace(unmatched=text, choices=choices)
        form.workplace_asked.data = text
        form.workplace_choice.data = NONE_OF_THESE
