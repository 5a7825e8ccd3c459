from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, StringField, TelField
from wtforms.validators import DataRequired, EqualTo, Regexp

from ...kernel.forms import (
    EmailAddress,
    PasswordField,
    PhoneNumber,
    StrongPassword,
    max_length,
    required,
    strip_filter,
)
from ..organizations.forms import check_workplace, workplace_fields

CONSENT_LABEL = "Даю согласие на обработку персональных данных"


def _own_details(form):
    """What a new password must not contain: the address and the names typed into the same form."""
    email = (form.email.data or "").strip().lower()
    return email, email.split("@")[0], form.last_name.data, form.first_name.data


class RegistrationForm(FlaskForm):
    last_name = StringField("Фамилия", filters=[strip_filter], validators=[required("Укажите фамилию."), max_length(100)])
    first_name = StringField("Имя", filters=[strip_filter], validators=[required("Укажите имя."), max_length(100)])
    middle_name = StringField("Отчество", filters=[strip_filter], validators=[max_length(100)])
    phone = TelField(
        "Контактный номер телефона", filters=[strip_filter], validators=[required("Укажите номер телефона."), max_length(40), PhoneNumber()]
    )
    email = EmailField(
        "Адрес электронной почты",
        filters=[strip_filter],
        validators=[required("Укажите адрес электронной почты."), max_length(254), EmailAddress()],
    )
    settlement = StringField(
        "Населённый пункт", filters=[strip_filter], validators=[required("Укажите населённый пункт."), max_length(200)]
    )
    workplace, organization_id, workplace_choice, workplace_asked = workplace_fields("Укажите место работы.")
    password = PasswordField("Пароль", validators=[required("Придумайте пароль."), StrongPassword(_own_details)])
    password_confirm = PasswordField(
        "Подтверждение пароля",
        validators=[required("Повторите пароль."), EqualTo("password", "Пароли не совпадают.")],
        follows="password",
    )
    consent_version = HiddenField()
    consent = BooleanField(
        CONSENT_LABEL,
        validators=[DataRequired("Без согласия на обработку персональных данных регистрация невозможна.")],
    )

    validate_workplace = check_workplace


class LoginForm(FlaskForm):
    email = EmailField(
        "Адрес электронной почты", filters=[strip_filter], validators=[required("Укажите адрес электронной почты.")]
    )
    password = PasswordField("Пароль", validators=[required("Введите пароль.")])
    remember = BooleanField("Запомнить меня на этом устройстве")


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        "Адрес электронной почты",
        filters=[strip_filter],
        validators=[required("Укажите адрес электронной почты."), max_length(254), EmailAddress()],
    )


class ResetPasswordForm(FlaskForm):
    """`personal`: what the account's new password must not contain, set by the view."""

    personal: tuple[str, ...] = ()
    password = PasswordField("Новый пароль",
                             validators=[required("Придумайте пароль."), StrongPassword(lambda form: form.personal)])
    password_confirm = PasswordField(
        "Подтверждение пароля",
        validators=[required("Повторите пароль."), EqualTo("password", "Пароли не совпадают.")],
        follows="password",
    )


def _digits_only(value):
    # People paste codes with spaces or a trailing newline.
    return "".join(value.split()) if isinstance(value, str) else value


class LoginCodeForm(FlaskForm):
    code = StringField(
        "Код из письма",
        filters=[_digits_only],
        validators=[required("Введите код из письма."), Regexp(r"^\d{6}$", message="Код состоит из 6 цифр.")],
    )
