"""Forms of the measures library."""
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import ValidationError

from ...domain.methodology import Methodology
from ...kernel.forms import max_length, required, strip_filter

NO_COURSE = ""


def _short(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class MeasureForm(FlaskForm):
    # Choices depend on the methodology and the catalogue: set by `for_methodology`. WTForms' own choice
    # messages are English, so the checks below say it in Russian.
    indicator_code = SelectField("Показатель", validate_choice=False)
    target_score = SelectField("Уровень, к которому ведёт мера", validate_choice=False)
    text = TextAreaField(
        "Что сделать", filters=[strip_filter], validators=[required("Опишите, что нужно сделать."), max_length(2000)]
    )
    responsible_role = StringField(
        "Ответственный (должность)", filters=[strip_filter],
        validators=[required("Укажите, кто отвечает за меру."), max_length(200)],
    )
    duration = StringField(
        "Типичный срок", filters=[strip_filter], validators=[required("Укажите типичный срок."), max_length(100)]
    )
    expected_result = TextAreaField(
        "Ожидаемый результат", filters=[strip_filter],
        validators=[required("Опишите измеримый результат."), max_length(2000)],
    )
    course_id = SelectField("Курс КК ИПК, который помогает", validate_choice=False)

    def for_methodology(self, methodology: Methodology | None, courses: list[tuple[int, str]]) -> "MeasureForm":
        """Fills the choices; the target scores are those of the chosen (or posted) indicator."""
        self.methodology = methodology
        indicators = methodology.indicators if methodology else ()
        self.indicator_code.choices = [("", "— выберите показатель —")] + [
            (indicator.code, indicator.label) for indicator in indicators
        ]
        indicator = methodology.indicator(self.indicator_code.data or "") if methodology else None
        if indicator is not None:
            levels = [(str(level.score), f"{level.score} — {_short(level.text)}") for level in indicator.levels
                      if level.score >= 1]
        else:
            scores = sorted({level.score for i in indicators for level in i.levels if level.score >= 1})
            levels = [(str(score), str(score)) for score in scores]
        self.target_score.choices = levels
        self.course_id.choices = [(NO_COURSE, "— без курса —")] + [(str(id_), title) for id_, title in courses]
        return self

    def validate_indicator_code(self, field):
        if field.data not in {value for value, _ in field.choices if value}:
            raise ValidationError("Выберите показатель из списка.")

    def validate_target_score(self, field):
        if self.indicator_code.errors:  # no indicator, no levels to check against
            return
        if field.data not in {value for value, _ in field.choices}:
            indicator = self.methodology.indicator(self.indicator_code.data)
            allowed = ", ".join(value for value, _ in field.choices)
            raise ValidationError(f"У показателя «{indicator.label}» нет такого уровня; допустимо: {allowed}.")

    def validate_course_id(self, field):
        if (field.data or NO_COURSE) not in {value for value, _ in field.choices}:
            raise ValidationError("Выберите курс из каталога или «без курса».")

    @property
    def course(self) -> int | None:
        return int(self.course_id.data) if self.course_id.data else None
