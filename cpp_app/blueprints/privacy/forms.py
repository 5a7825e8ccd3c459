from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired

from ...kernel.forms import PasswordField, choice_field, max_length, required, strip_filter
from .services_requests import MAX_REQUEST_LENGTH, REQUEST_KINDS

KIND_CHOICES = [SelectChoice(kind.value, kind.label) for kind in REQUEST_KINDS]


class RenewConsentForm(FlaskForm):
    document_version = HiddenField()
    consent = BooleanField(
        "Даю согласие на обработку персональных данных",
        validators=[DataRequired("Чтобы продолжить работу, подтвердите согласие на обработку персональных данных.")],
    )


class PrivacyRequestForm(FlaskForm):
    kind = choice_field("Вид обращения", KIND_CHOICES, "Выберите вид обращения из списка.")
    text = TextAreaField(
        "Текст обращения",
        filters=[strip_filter],
        validators=[required("Опишите, что вы просите сделать."), max_length(MAX_REQUEST_LENGTH)],
    )


class WithdrawConsentForm(FlaskForm):
    password = PasswordField("Текущий пароль", validators=[required("Введите текущий пароль.")])
