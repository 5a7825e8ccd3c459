"""Forms of the teacher's courses page, and the pieces the methodologist's catalogue forms share with them."""
from collections.abc import Callable
from dataclasses import fields
from typing import TypeVar

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, Form, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange, ValidationError

from ... import uploads
from ...kernel.forms import (
    NotAfterToday,
    RuDateField,
    RuIntegerField,
    max_length,
    required,
    show_field_errors,
    strip_filter,
    typed_required,
)
from ...service_errors import FieldErrors
from .services import HOURS_MESSAGE, MAX_HOURS, ExternalCourse

T = TypeVar("T")


def text_field(label: str, missing: str, limit: int, **kwargs) -> StringField:
    """A required line of text, trimmed, refused in Russian when empty or longer than `limit`."""
    return StringField(label, filters=[strip_filter], validators=[required(missing), max_length(limit)], **kwargs)


def hours_field(label: str = "Объём, часов"):
    return RuIntegerField(
        label,
        validators=[
            typed_required("Укажите объём курса в часах."),
            NumberRange(min=1, max=MAX_HOURS, message=HOURS_MESSAGE),
        ],
    )


def dataclass_from(form, cls, **computed):
    """`cls` (a dataclass) made of the form's fields of the same names; `computed` gives the values that are not
    a field's data as it stands."""
    return cls(**{f.name: computed[f.name] if f.name in computed else form[f.name].data for f in fields(cls)})


def saved(form, save: Callable[[], T]) -> tuple[bool, T | None]:
    """`(True, what save() returned)` once the submitted form is valid and the service took it; `(False, None)` while
    the form is to be shown again: not submitted, invalid, or refused (the service's FieldErrors next to the fields,
    whatever it changed undone)."""
    if not form.validate_on_submit():
        return False, None
    try:
        return True, save()
    except FieldErrors as error:
        show_field_errors(form, error.errors)
        return False, None


class TopicFilterForm(Form):
    """The catalogue's topic filter; read from the query string, so no CSRF token."""

    topic = SelectField("Тема", validate_choice=False)

    def set_topics(self, topics: list[str]) -> None:
        self.topic.choices = [SelectChoice("", "Все темы"), *(SelectChoice(topic, topic) for topic in topics)]


class ExternalCourseForm(FlaskForm):
    title = text_field("Название курса", "Укажите название курса.", 300)
    provider = text_field("Организация, проводившая обучение", "Укажите организацию, проводившую обучение.", 300)
    hours = hours_field()
    completed_on = RuDateField("Дата окончания", validators=[
        typed_required("Укажите дату окончания курса."),
        NotAfterToday("Дата окончания не может быть позже сегодняшнего дня."),
    ])
    certificate_number = text_field(
        "Номер удостоверения или сертификата", "Укажите номер удостоверения или сертификата.", 100
    )
    certificate = FileField("Скан удостоверения")
    remove_certificate = BooleanField("Удалить загруженный файл удостоверения")

    def certificate_bytes(self) -> bytes | None:
        """The uploaded file's content, one byte past the limit at most (enough to refuse it)."""
        storage = self.certificate.data
        if storage is None:
            return None
        storage.stream.seek(0)
        return storage.stream.read(uploads.max_bytes("certificates") + 1)

    def validate_certificate(self, field):
        # Type and size with the other fields' messages; the file is stored only once everything is accepted.
        content = self.certificate_bytes()
        if content is None:
            return
        try:
            uploads.check(content, "certificates")
        except uploads.UploadRefused as refusal:
            raise ValidationError(str(refusal)) from None

    def external_course(self) -> ExternalCourse:
        return dataclass_from(
            self, ExternalCourse, certificate=self.certificate_bytes(), remove_certificate=bool(self.remove_certificate.data)
        )
