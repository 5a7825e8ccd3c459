"""Forms of the teacher's courses page; the date and number fields are shared with the methodologist's catalogue."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, Form, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange

from ... import uploads
from ..forms_common import max_length, required, strip_filter
from .course_services import MAX_HOURS


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


def typed_required(message: str):
    """For parsed fields: DataRequired would take 0 for empty and hide the parser's «not a number»."""
    return InputRequired(message)


def hours_field(label: str = "Объём, часов"):
    return RuIntegerField(
        label,
        validators=[
            typed_required("Укажите объём курса в часах."),
            NumberRange(min=1, max=MAX_HOURS, message=f"Объём курса — от 1 до {MAX_HOURS} часов."),
        ],
    )


class TopicFilterForm(Form):
    """The catalogue's topic filter; read from the query string, so no CSRF token."""

    topic = SelectField("Тема", validate_choice=False)

    def set_topics(self, topics: list[str]) -> None:
        self.topic.choices = [SelectChoice("", "Все темы"), *(SelectChoice(topic, topic) for topic in topics)]


class ExternalCourseForm(FlaskForm):
    title = StringField(
        "Название курса", filters=[strip_filter], validators=[required("Укажите название курса."), max_length(300)]
    )
    provider = StringField(
        "Организация, проводившая обучение",
        filters=[strip_filter],
        validators=[required("Укажите организацию, проводившую обучение."), max_length(300)],
    )
    hours = hours_field()
    completed_on = RuDateField("Дата окончания", validators=[typed_required("Укажите дату окончания курса.")])
    certificate_number = StringField(
        "Номер удостоверения или сертификата",
        filters=[strip_filter],
        validators=[required("Укажите номер удостоверения или сертификата."), max_length(100)],
    )
    certificate = FileField("Скан удостоверения")
    remove_certificate = BooleanField("Удалить загруженный файл удостоверения")

    def certificate_bytes(self) -> bytes | None:
        """The uploaded file's content, one byte past the limit at most (enough to refuse it)."""
        storage = self.certificate.data
        if storage is None:
            return None
        return storage.stream.read(uploads.max_bytes("certificates") + 1)
