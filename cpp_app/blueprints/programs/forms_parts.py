"""The forms of the program's document parts (parts.PARTS): one form per part, Russian labels and messages."""
from flask_wtf import FlaskForm
from wtforms import FieldList, Form, FormField, StringField, TextAreaField

from ...kernel.forms import RuDateField, max_length, strip_filter
from .forms import normalize_text
from .services import SECTION_LIMIT

STAGE_ROWS_MIN = 3
STAGE_ROWS_MAX = 8


def _text(label: str, limit: int = SECTION_LIMIT) -> TextAreaField:
    return TextAreaField(label, filters=[normalize_text], validators=[max_length(limit)])


def _line(label: str, limit: int) -> StringField:
    return StringField(label, filters=[strip_filter], validators=[max_length(limit)])


class TitlePageForm(FlaskForm):
    founder_name = _line("Учредитель — наименование организации", 500)
    founder_position = _line("Должность подписывающего от учредителя", 200)
    founder_signatory = _line("ФИО подписывающего от учредителя", 200)
    teachers_council_protocol = _line("Педагогический совет: номер протокола", 50)
    teachers_council_date = RuDateField("Педагогический совет: дата протокола")
    governing_council_protocol = _line("Управляющий совет: номер протокола", 50)
    governing_council_date = RuDateField("Управляющий совет: дата протокола")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # A protocol is cited by its number and its date: one without the other cannot be checked.
        for body in ("teachers_council", "governing_council"):
            number, day = self[f"{body}_protocol"], self[f"{body}_date"]
            if number.data and day.data is None and not day.errors:
                day.errors = [*day.errors, "Укажите дату протокола."]
                valid = False
            if day.data is not None and not number.data and not number.errors:
                number.errors = [*number.errors, "Укажите номер протокола."]
                valid = False
        return valid


class InformationForm(FlaskForm):
    licence = _text("Лицензия на осуществление образовательной деятельности")
    accreditation = _text("Государственная аккредитация")
    programs_offered = _text("Реализуемые образовательные программы (по одной в строке)")
    contacts = _text("Контакты (телефон, электронная почта, сайт)")


class AnalysisForm(FlaskForm):
    strengths = _text("Сильные стороны")
    weaknesses = _text("Слабые стороны")
    opportunities = _text("Возможности")
    risks = _text("Риски")


class MissionForm(FlaskForm):
    mission = _text("Миссия и образ будущего организации")
    resources = _text("Ресурсное обеспечение и источники финансирования")


class MonitoringForm(FlaskForm):
    monitoring = _text("Мониторинг и контроль реализации")


class StageRow(Form):
    """A row of the stages' table; a row left empty is no stage."""

    title = StringField("Название этапа", filters=[strip_filter])
    starts_on = RuDateField("Начало этапа")
    ends_on = RuDateField("Окончание этапа")

    @property
    def empty(self) -> bool:
        dates = (self.starts_on, self.ends_on)
        return not self.title.data and all(day.data is None and not day.process_errors for day in dates)


class StagesForm(FlaskForm):
    stages = FieldList(FormField(StageRow), min_entries=STAGE_ROWS_MIN, max_entries=STAGE_ROWS_MAX)


FORMS = {"title-page": TitlePageForm, "information": InformationForm, "analysis": AnalysisForm,
         "mission": MissionForm, "stages": StagesForm, "monitoring": MonitoringForm}
