"""Form pieces every feature uses, all speaking Russian: validators, date and number fields, a choice from a list,
the CSRF-protected button, and showing a service's FieldErrors next to the fields.

Every check a form has runs on the first submit: the domain's checks (phone, password) are validators here, and
`validate_all` adds a service's own input checks even when the form's validators refused something."""
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime

from email_validator import EmailNotValidError, validate_email
from flask_wtf import FlaskForm
from wtforms import DateField, Field, IntegerField, SelectField
from wtforms import PasswordField as _PasswordField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, StopValidation, ValidationError
from wtforms.widgets import PasswordInput

from ..converters import parse_id
from ..domain.passwords import password_problems
from ..domain.phone import PhoneError, normalize_phone
from .clock import local_today
from .plural import genitive
from .transaction import discard_changes


def required(message: str = "Заполните это поле."):
    return DataRequired(message)


def typed_required(message: str):
    """For parsed fields: DataRequired would take 0 for empty and hide the parser's «not a number»."""
    return InputRequired(message)


def max_length(limit: int):
    return Length(max=limit, message=f"Не более {limit} {genitive(limit, 'символа', 'символов')}.")


class EmailAddress:
    """Syntax only: deliverability needs the network, which a sign-up form must not wait for."""

    def __call__(self, form, field):
        try:
            field.data = validate_email(field.data or "", check_deliverability=False).normalized
        except EmailNotValidError:
            raise StopValidation("Введите адрес электронной почты в виде name@example.ru.") from None


class PhoneNumber:
    """A number the service can store: the same check as the service's, so its message comes with the others."""

    def __call__(self, form, field):
        if not (field.data or "").strip():
            return  # «required», where the field has it, speaks for an empty one
        try:
            normalize_phone(field.data)
        except PhoneError as error:
            raise ValidationError(str(error)) from None


class NotAfterToday:
    """A date that has happened: the service's own check, here so that it comes with the form's other messages."""

    def __init__(self, message: str):
        self.message = message

    def __call__(self, form, field):
        if field.data is not None and field.data > local_today():
            raise ValidationError(self.message)


class NotBefore:
    """The end of a period, not before its start (the field named `start`); either may be empty."""

    def __init__(self, start: str, message: str):
        self.start, self.message = start, message

    def __call__(self, form, field):
        start = form[self.start].data
        if field.data is not None and start is not None and field.data < start:
            raise ValidationError(self.message)


class StrongPassword:
    """The password policy on the form. `personal(form)` names what the password must not contain (the form's
    own name and address fields, or the signed-in user's)."""

    def __init__(self, personal: Callable[[object], Iterable[str | None]] = lambda form: ()):
        self.personal = personal

    def __call__(self, form, field):
        if not field.data:
            return
        problems = password_problems(field.data, personal=tuple(self.personal(form)))
        if problems:
            raise ValidationError(problems[0])


class PasswordField(_PasswordField):
    """Shown again with what was typed when the form comes back for other fields' sake; emptied when this field
    itself was refused, and a confirmation (`follows` names the password it repeats) with its password too.
    The value only goes back into the page: nothing logs or stores it."""

    widget = PasswordInput(hide_value=False)

    def __init__(self, label=None, validators=None, follows: str | None = None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.follows = follows
        self._posted_form = None

    def post_validate(self, form, validation_stopped):
        self._posted_form = form  # to look at the password this one repeats when the page is drawn

    def _value(self):
        refused = bool(self.errors)
        if self.follows and self._posted_form is not None:
            refused = refused or bool(self._posted_form[self.follows].errors)
        return "" if refused else super()._value()


def strip_filter(value):
    return value.strip() if isinstance(value, str) else value


def choice_field(label: str, choices, message: str, **kwargs) -> SelectField:
    """A choice from a fixed list, refused in Russian (WTForms' own invalid-choice message is English)."""
    values = [choice[0] if isinstance(choice, tuple) else choice.value for choice in choices]
    return SelectField(label, choices=choices, validate_choice=False,
                       validators=[*kwargs.pop("validators", []), AnyOf(values, message=message)], **kwargs)


# The browser's date picker sends ISO; a plain text box gets dd.mm.yyyy typed into it.
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y")


def parse_date(text: str) -> date | None:
    """A date typed or picked in either of DATE_FORMATS, or None."""
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    return None


class RuDateField(DateField):
    """A date input with a Russian message; an empty value is no value, so «required» speaks alone."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("format", list(DATE_FORMATS))
        kwargs.setdefault("invalid_value_message", "Введите дату в виде дд.мм.гггг.")
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        if valuelist and not "".join(valuelist).strip():
            self.data = None
            return
        super().process_formdata(valuelist)


class RuIntegerField(IntegerField):
    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("invalid_value_message", "Введите целое число.")
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        if valuelist and not str(valuelist[0]).strip():
            self.data = None
            return
        super().process_formdata(valuelist)


class EmptyForm(FlaskForm):
    """A CSRF-protected button."""


def show_field_errors(form, errors: Mapping[str, str]) -> None:
    """A service's FieldErrors shown next to the form's fields; whatever the refused input changed is undone."""
    discard_changes()
    for name, message in errors.items():
        if message not in form[name].errors:
            form[name].errors = [*form[name].errors, message]


class IdListField(Field):
    """The ticked checkboxes of a list (rendered by the template): their ids, sorted and distinct. A value that
    cannot be an id names nothing and is dropped; more than `limit` ids is refused, so one request stays bounded."""

    def __init__(self, label=None, validators=None, *, limit: int, noun: str = "записей", **kwargs):
        kwargs.setdefault("default", list)
        super().__init__(label, validators, **kwargs)
        self.limit, self.noun = limit, noun

    def process_formdata(self, valuelist):
        self.data = sorted({number for value in valuelist if (number := parse_id(value)) is not None})

    def pre_validate(self, form):
        if len(self.data or ()) > self.limit:
            raise ValidationError(f"Выбрано слишком много {self.noun}: не более {self.limit} за раз.")


def validate_all(form, *checks: Callable[[], Mapping[str, str]]) -> bool:
    """`validate_on_submit`, and the service's own input checks as well, even when the form's validators refused
    something: all the messages come in one round. A check returns {field name: message}; a field the form has
    already refused keeps its own message. A failed CSRF token runs no check (the page only comes back)."""
    valid = form.validate_on_submit()
    if not form.is_submitted() or ("csrf_token" in form and form.csrf_token.errors):
        return valid
    for check in checks:
        for name, message in check().items():
            if not form[name].errors:
                form[name].errors = [*form[name].errors, message]
                valid = False
    return valid


def error_items(form, extra: Iterable[tuple[str | None, str]] = (), labelled: bool = False
                ) -> list[tuple[str | None, str]]:
    """(element id, message) for each of the form's errors in the order of its fields, then `extra`: the lines
    of the error summary, each linking to the input to fix. A hidden field has nothing to link to (None); a radio
    group links to its first choice; a nested form or list of fields, to its own inputs. `labelled` puts each
    field's label before its message, for a page of many alike forms (a row per platform)."""
    items: list[tuple[str | None, str]] = []

    def collect(field, errors):
        if isinstance(errors, dict) or (errors and not isinstance(errors[0], str)):
            for sub in field:  # FormField / FieldList: their inputs carry their own errors
                collect(sub, sub.errors)
            return
        target = field.id
        if field.type == "HiddenField":
            target = None
        elif field.type == "RadioField":
            target = next(iter(field), field).id
        items.extend((target, f"{field.label.text} — {message}" if labelled else message) for message in errors)

    for field in form:
        if field.errors and field.name != "csrf_token":
            collect(field, field.errors)
    items.extend((None, message) for message in form.form_errors)
    items.extend(extra)
    return items
