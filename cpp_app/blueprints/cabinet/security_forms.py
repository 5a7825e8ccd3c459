from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import EqualTo

from ...kernel.forms import required


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField("Текущий пароль", validators=[required("Введите текущий пароль.")])
    new_password = PasswordField("Новый пароль", validators=[required("Придумайте новый пароль.")])
    new_password_confirm = PasswordField(
        "Новый пароль ещё раз",
        validators=[required("Повторите новый пароль."), EqualTo("new_password", "Пароли не совпадают.")],
    )
