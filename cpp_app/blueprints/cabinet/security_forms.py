from flask_wtf import FlaskForm
from wtforms.validators import EqualTo, StopValidation

from ...kernel.forms import PasswordField, StrongPassword, required


def _differs_from_current(form, field):
    # Before the policy: «the same as now» says more than «too common» about a password already in use.
    if field.data and field.data == form.current_password.data:
        raise StopValidation("Новый пароль совпадает с текущим. Придумайте другой.")  # nosec B105 # a message


class PasswordChangeForm(FlaskForm):
    """`personal`: what the new password must not contain (the user's name and address), set by the view."""

    personal: tuple[str, ...] = ()
    current_password = PasswordField("Текущий пароль", validators=[required("Введите текущий пароль.")])
    new_password = PasswordField(
        "Новый пароль", validators=[required("Придумайте новый пароль."), _differs_from_current,
                                   StrongPassword(lambda form: form.personal)]
    )
    new_password_confirm = PasswordField(
        "Новый пароль ещё раз",
        validators=[required("Повторите новый пароль."), EqualTo("new_password", "Пароли не совпадают.")],
        follows="new_password",
    )
