"""Forms of the methodologist's course catalogue."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, Field, HiddenField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional, ValidationError

from ...converters import parse_id
from ...kernel.forms import RuDateField, choice_field, max_length, required, strip_filter
from ...models import CourseFormat, CourseStatus
from ..cabinet.course_forms import hours_field

FORMAT_CHOICES = [SelectChoice(course_format.value, course_format.label) for course_format in CourseFormat]
BULK_ACTIONS = [SelectChoice("enroll", "Зачислить"), SelectChoice("complete", "Отметить завершившими")]
MAX_SELECTED = 500


class CourseForm(FlaskForm):
    title = StringField(
        "Название", filters=[strip_filter], validators=[required("Укажите название курса."), max_length(300)]
    )
    provider = StringField(
        "Организатор", default="КК ИПК", filters=[strip_filter],
        validators=[required("Укажите организатора курса."), max_length(300)],
    )
    hours = hours_field()
    format = choice_field("Формат обучения", FORMAT_CHOICES, "Выберите формат обучения из списка.")
    starts_on = RuDateField("Дата начала", validators=[Optional()])
    ends_on = RuDateField("Дата окончания", validators=[Optional()])
    topic = StringField(
        "Тема", filters=[strip_filter], validators=[required("Укажите тему курса."), max_length(200)]
    )
    description = TextAreaField("Описание", filters=[strip_filter], validators=[max_length(5000)])
    is_open = BooleanField("Открыт для записи", default=True)


class RecordIdsField(Field):
    """The ticked checkboxes of a list (rendered by the template): the record ids, anything else ignored."""

    def process_formdata(self, valuelist):
        self.data = sorted({record_id for value in valuelist if (record_id := parse_id(value)) is not None})

    def pre_validate(self, form):
        if len(self.data or ()) > MAX_SELECTED:
            raise ValidationError(f"Выбрано слишком много записей: не более {MAX_SELECTED} за раз.")


class BulkRecordsForm(FlaskForm):
    """The applications ticked on a course's page and the button pressed."""

    record_ids = RecordIdsField(default=list)
    action = choice_field(None, BULK_ACTIONS, "Неизвестное действие.")
    # Where the list was, to return there.
    page = HiddenField()
    status = HiddenField()

    def list_args(self) -> dict:
        args = {}
        if (self.page.data or "").isdigit() and int(self.page.data) > 1:
            args["page"] = int(self.page.data)
        if self.status.data in {status.value for status in CourseStatus}:
            args["status"] = self.status.data
        return args


class VerifyForm(FlaskForm):
    record_ids = RecordIdsField(default=list)
    page = HiddenField()
