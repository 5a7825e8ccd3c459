"""Validators with Russian messages shared by the feature forms."""
from email_validator import EmailNotValidError, validate_email
from flask_wtf import FlaskForm
from wtforms.validators import DataRequired, Length, StopValidation

from ..kernel.transaction import discard_changes


def required(message: str = "Заполните это поле."):
    return DataRequired(message)


def max_length(limit: int):
    return Length(max=limit, message=f"Не более {limit} символов.")


class EmailAddress:
    """Syntax only: deliverability needs the network, which a sign-up form must not wait for."""

    def __call__(self, form, field):
        try:
            field.data = validate_email(field.data or "", check_deliverability=False).normalized
        except EmailNotValidError:
            raise StopValidation("Введите адрес электронной почты в виде name@example.ru.") from None


def strip_filter(value):
    return value.strip() if isinstance(value, str) else value


class EmptyForm(FlaskForm):
    """A CSRF-protected button."""


def show_field_errors(form, errors: dict[str, str]) -> None:
    """A service's FieldErrors shown next to the form's fields; whatever the refused input changed is undone."""
    discard_changes()
    for name, message in errors.items():
        form[name].errors = [*form[name].errors, message]
