"""Form pieces every feature uses, all speaking Russian: validators, date and number fields, a choice from a list,
the CSRF-protected button, and showing a service's FieldErrors next to the fields."""
from email_validator import EmailNotValidError, validate_email
from flask_wtf import FlaskForm
from wtforms import DateField, Field, IntegerField, SelectField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, StopValidation, ValidationError

from ..converters import parse_id
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


def strip_filter(value):
    return value.strip() if isinstance(value, str) else value


def choice_field(label: str, choices, message: str, **kwargs) -> SelectField:
    """A choice from a fixed list, refused in Russian (WTForms' own invalid-choice message is English)."""
    values = [choice[0] if isinstance(choice, tuple) else choice.value for choice in choices]
    return SelectField(label, choices=choices, validate_choice=False,
                       validators=[*kwargs.pop("validators", []), AnyOf(values, message=message)], **kwargs)


class RuDateField(DateField):
    """A date input with a Russian message; an empty value is no value, so «required» speaks alone."""

    def __init__(self, label=None, validators=None, **kwargs):
        # The browser's date picker sends ISO; a plain text box gets dd.mm.yyyy typed into it.
        kwargs.setdefault("format", ["%Y-%m-%d", "%d.%m.%Y"])
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


def show_field_errors(form, errors: dict[str, str]) -> None:
    """A service's FieldErrors shown next to the form's fields; whatever the refused input changed is undone."""
    discard_changes()
    for name, message in errors.items():
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
