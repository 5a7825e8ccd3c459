"""Forms of the methodologist's course catalogue."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectMultipleField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ...kernel.forms import IdListField, NotBefore, RuDateField, choice_field, max_length, strip_filter
from ...models import CourseFormat, CourseStatus
from ..methodology.services_versions import teacher_areas
from .forms import dataclass_from, hours_field, text_field
from .services_admin import CourseData

FORMAT_CHOICES = [SelectChoice(course_format.value, course_format.label) for course_format in CourseFormat]
BULK_ACTIONS = [SelectChoice("enroll", "Зачислить"), SelectChoice("complete", "Отметить завершившими")]
MAX_SELECTED = 500


class CourseForm(FlaskForm):
    title = text_field("Название", "Укажите название курса.", 300)
    provider = text_field("Организатор", "Укажите организатора курса.", 300, default="КК ИПК")
    hours = hours_field()
    format = choice_field("Формат обучения", FORMAT_CHOICES, "Выберите формат обучения из списка.")
    starts_on = RuDateField("Дата начала", validators=[Optional()])
    ends_on = RuDateField("Дата окончания", validators=[
        Optional(), NotBefore("starts_on", "Дата окончания не может быть раньше даты начала."),
    ])
    topic = text_field("Тема", "Укажите тему курса.", 200)
    description = TextAreaField("Описание", filters=[strip_filter], validators=[max_length(5000)])
    is_open = BooleanField("Открыт для записи", default=True)
    readiness_areas = SelectMultipleField(
        "Области самооценки педагога, которые развивает курс", validate_choice=False,
        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.readiness_areas.choices = teacher_areas()

    def validate_readiness_areas(self, field):
        known = {code for code, _ in field.choices}
        if any(code not in known for code in field.data or ()):
            raise ValidationError("Выберите области из списка.")

    def course_data(self) -> CourseData:
        return dataclass_from(
            self, CourseData, format=CourseFormat(self.format.data), description=self.description.data or "",
            is_open=bool(self.is_open.data),
            readiness_areas=[code for code, _ in self.readiness_areas.choices if code in (self.readiness_areas.data or ())],
        )


class RecordsSelectionForm(FlaskForm):
    """The records ticked on a page of a list, and that page, to return to."""

    record_ids = IdListField(limit=MAX_SELECTED)
    page = HiddenField()

    def list_args(self) -> dict:
        """The query string of the list the records were ticked on."""
        return {"page": int(self.page.data)} if (self.page.data or "").isdigit() and int(self.page.data) > 1 else {}


class BulkRecordsForm(RecordsSelectionForm):
    """The applications ticked on a course's page and the button pressed."""

    action = choice_field(None, BULK_ACTIONS, "Неизвестное действие.")
    status = HiddenField()

    def list_args(self) -> dict:
        args = super().list_args()
        if self.status.data in {status.value for status in CourseStatus}:
            args["status"] = self.status.data
        return args


class VerifyForm(RecordsSelectionForm):
    """The external records ticked as checked."""
