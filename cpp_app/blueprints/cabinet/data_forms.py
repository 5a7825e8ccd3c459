from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf

from ..forms_common import max_length, required, strip_filter
from .data_services import MAX_REQUEST_LENGTH, REQUEST_KINDS

KIND_CHOICES = [SelectChoice(kind.value, kind.label) for kind in REQUEST_KINDS]


class PrivacyRequestForm(FlaskForm):
    kind = SelectField(
        "Вид обращения",
        choices=KIND_CHOICES,
        validate_choice=False,  # WTForms' own message is English; AnyOf says it in Russian
        validators=[AnyOf([choice.value for choice in KIND_CHOICES], message="Выберите вид обращения из списка.")],
    )
    text = TextAreaField(
        "Текст обращения",
        filters=[strip_filter],
        validators=[required("Опишите, что вы просите сделать."), max_length(MAX_REQUEST_LENGTH)],
    )


class WithdrawConsentForm(FlaskForm):
    password = PasswordField("Текущий пароль", validators=[required("Введите текущий пароль.")])
