"""Forms of the teacher's courses page; the date and number fields are shared with the methodologist's catalogue."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, Form, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange

from ... import uploads
from ...kernel.forms import RuDateField, RuIntegerField, max_length, required, strip_filter, typed_required
from .course_services import MAX_HOURS


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
