"""The forms of the individual educational route: a new item, an item's due date, the areas' targets and goals,
sharing with the school admin. Choices come from the route and the catalogue, so the classes are built per
request."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, FieldList, Form, FormField, RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf

from ...kernel.forms import RuDateField, choice_field, max_length, required, strip_filter
from ...models import RouteItemKind
from .services_route import GOAL_LIMIT, TITLE_LIMIT

MAX_LEVELS = 10  # more levels than any instrument has; the service checks the instrument's own range
KIND_CHOICES = [SelectChoice(RouteItemKind.SELF_STUDY.value, "Самостоятельная работа"),
                SelectChoice(RouteItemKind.COURSE.value, "Курс из каталога КК ИПК")]


class DueForm(FlaskForm):
    due_on = RuDateField("Срок", validators=[required("Укажите срок.")])


class ShareForm(FlaskForm):
    shared = BooleanField("Показать маршрут руководителю моей организации")


def new_item_form(areas: list[tuple[str, str]], courses: list[tuple[str, str]], **kwargs) -> FlaskForm:
    """`areas`: (code, title) of the route's areas; `courses`: (id, title) of the open catalogue courses."""

    class NewItemForm(FlaskForm):
        area_code = choice_field("Область", [SelectChoice(code, title) for code, title in areas],
                                 "Выберите область из маршрута.")
        kind = RadioField("Вид пункта", choices=KIND_CHOICES, validate_choice=False, default="self_study",
                          validators=[AnyOf([choice.value for choice in KIND_CHOICES], message="Выберите вид пункта.")])
        title = TextAreaField("Что вы сделаете самостоятельно", filters=[strip_filter],
                              validators=[max_length(TITLE_LIMIT)])
        course_id = SelectField("Курс", choices=[SelectChoice("", "— выберите курс —"),
                                                 *(SelectChoice(value, title) for value, title in courses)],
                                validate_choice=False)
        due_on = RuDateField("Срок", validators=[required("Укажите срок.")])

    return NewItemForm(**kwargs)


class AreaRow(Form):
    """One area of the route: the target level (offered from the current one up) and the teacher's goal."""

    target = choice_field("Целевой уровень", [SelectChoice(str(rank), str(rank)) for rank in range(MAX_LEVELS)],
                          "Выберите целевой уровень не ниже текущего.")
    goal = TextAreaField("Цель", filters=[strip_filter], validators=[max_length(GOAL_LIMIT)])


class AreasForm(FlaskForm):
    areas = FieldList(FormField(AreaRow), max_entries=MAX_LEVELS * 3)


def areas_form(areas, levels: list[str]) -> AreasForm:
    """The route's areas in order (a POST's values over the stored ones), each row's choices narrowed to the
    levels from the current one up."""
    form = AreasForm(data={"areas": [{"target": str(area.target_level), "goal": area.goal} for area in areas]})
    while len(form.areas.entries) < len(areas):  # a POST that left rows out: they come back empty
        form.areas.append_entry()
    for row, area in zip(form.areas.entries, areas):
        row.target.choices = [SelectChoice(str(rank), levels[rank]) for rank in range(area.current_level, len(levels))]
        row.target.label.text = f"Целевой уровень: {area.title}"
        row.goal.label.text = f"Цель: {area.title}"
    return form
