from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField
from wtforms.validators import DataRequired


class RenewConsentForm(FlaskForm):
    document_version = HiddenField()
    consent = BooleanField(
        "Согласен с условиями Политики в отношении обработки персональных данных КК ИПК",
        validators=[DataRequired("Чтобы продолжить работу, подтвердите согласие на обработку персональных данных.")],
    )
