from flask_wtf import FlaskForm
from wtforms.validators import EqualTo

from ...kernel.forms import PasswordField, StrongPassword, required


class PasswordChangeForm(FlaskForm):
    """`personal`: what the new password must not contain (the user's name and address), set by the view."""

    personal: tuple[str, ...] = ()
    current_password = PasswordField("Текущий пароль", validators=[required("Введите текущий пароль.")])
    new_password = PasswordField(
        "Новый пароль", validators=[required("Придумайте новый пароль."), StrongPassword(lambda form: form.personal)]
    )
    new_password_confirm = PasswordField(
        "Новый пароль ещё раз",
        validators=[required("Повторите новый пароль."), EqualTo("new_password", "Пароли не совпадают.")],
        follows="new_password",
    )
