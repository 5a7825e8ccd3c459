"""The programs' forms: creating one, the region list's filter, a road-map status change, and the constructor's
single form, parsed by hand because its fields follow the program's actions and deficits.

Constructor fields: the sections by name (`goal`, …), `target-<indicator code>`, `action-<id>-<field>` for each
action, `new-<indicator code>-measure` / `new-<indicator code>-text` for additions, and the pressed button as
`op` («save», «approve», «up:<id>», «down:<id>», «delete:<id>», «add_measure:<code>», «add_text:<code>»);
`action-<id>-responsible_unassigned` is a checkbox, posted only when ticked.
"""
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from flask_wtf import FlaskForm
from wtforms import Form, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice

from ...kernel.forms import RuIntegerField, parse_date, typed_required
from ...models import ACTION_STATUS_LABELS, Municipality
from .services import SECTIONS, ActionInput, ProgramInput, action_field, new_field

COMMANDS = ("save", "approve", "up", "down", "delete", "add_measure", "add_text")
_ACTION_FIELD = re.compile(r"^action-(\d{1,10})-text$")
_TARGET_FIELD = re.compile(r"^target-([a-z0-9_.]{1,100})$")
_OP = re.compile(r"^([a-z_]+)(?::([a-z0-9_.]{1,100}))?$")


def normalize_text(value: str | None) -> str:
    # Browsers post textarea line breaks as CRLF: stored texts stay comparable across round trips.
    return (value or "").replace("\r\n", "\n").strip()


# ---------------------------------------------------------------------------------------------- WTForms


class CreateProgramForm(FlaskForm):
    diagnostic_id = SelectField("Самодиагностика, по которой строится программа", validate_choice=False)
    period_start = RuIntegerField("Год начала", validators=[typed_required("Укажите год начала программы.")])
    period_end = RuIntegerField("Год окончания", validators=[typed_required("Укажите год окончания программы.")])

    def set_diagnostics(self, diagnostics) -> None:
        self.diagnostic_id.choices = [
            SelectChoice(str(d.id), f"{d.school_year} — {d.status.label}"
                         + (f", {d.total_points} из {d.max_points}" if d.total_points is not None else ""))
            for d in diagnostics
        ]

    @property
    def chosen_id(self) -> int | None:
        value = (self.diagnostic_id.data or "").strip()
        return int(value) if value.isdigit() and len(value) < 10 else None


class RegionFilterForm(Form):
    """Read from the query string, so no CSRF token; an unknown value means «all»."""

    municipality = SelectField("Муниципалитет", validate_choice=False)

    def __init__(self, formdata, municipalities: list[Municipality]):
        super().__init__(formdata)
        self._ids = {str(m.id) for m in municipalities}
        self.municipality.choices = [SelectChoice("", "Все"), *(SelectChoice(str(m.id), m.name) for m in municipalities)]

    @property
    def municipality_id(self) -> int | None:
        return int(self.municipality.data) if self.municipality.data in self._ids else None

    def link_args(self) -> dict[str, str]:
        return {"municipality": self.municipality.data} if self.municipality_id is not None else {}


class ActionStatusForm(FlaskForm):
    status = SelectField("Новый статус", choices=[SelectChoice(s.value, label) for s, label in ACTION_STATUS_LABELS.items()],
                         validate_choice=False)
    note = TextAreaField("Комментарий", filters=[normalize_text])


# ------------------------------------------------------------------------------------------ the constructor


@dataclass(frozen=True)
class Command:
    name: str
    argument: str | None = None

    @property
    def action_id(self) -> int | None:
        return int(self.argument) if self.argument and self.argument.isdigit() and len(self.argument) < 10 else None


@dataclass(frozen=True)
class PostedProgram:
    data: ProgramInput
    values: dict[str, str]  # the posted strings, shown again when something is wrong
    errors: dict[str, str]
    command: Command

    def new_measure_id(self, code: str) -> int | None:
        value = self.values.get(new_field(code, "measure"), "")
        return int(value) if value.isdigit() and len(value) < 10 else None

    def new_text(self, code: str) -> str:
        return self.values.get(new_field(code, "text"), "")


def _date(value: str) -> date:
    parsed = parse_date(value)
    if parsed is None:
        raise ValueError(value)
    return parsed


def _command(value: str | None) -> Command:
    match = _OP.match(value or "save")
    if match is None or match.group(1) not in COMMANDS:
        return Command("save")
    return Command(match.group(1), match.group(2))


def parse_program(formdata: Mapping) -> PostedProgram | None:
    """The constructor's fields as service input; None when the request carries no constructor form."""
    if not any(name in formdata for name in SECTIONS):
        return None
    values = {name: normalize_text(formdata.get(name)) for name in formdata if name != "csrf_token"}
    errors: dict[str, str] = {}
    targets = {}
    for name, value in values.items():
        if match := _TARGET_FIELD.match(name):
            if value.isdigit() and len(value) < 4:
                targets[match.group(1)] = int(value)
            else:
                errors[name] = "Выберите цель из списка."
    actions = {}
    for name in values:
        if match := _ACTION_FIELD.match(name):
            action_id = int(match.group(1))
            due_key = action_field(action_id, "due_date")
            due = None
            if values.get(due_key):
                try:
                    due = _date(values[due_key])
                except ValueError:
                    errors[due_key] = "Введите дату в виде дд.мм.гггг."
            actions[action_id] = ActionInput(
                text=values[name],
                responsible_name=values.get(action_field(action_id, "responsible_name"), ""),
                responsible_position=values.get(action_field(action_id, "responsible_position"), ""),
                due_date=due,
                expected_result=values.get(action_field(action_id, "expected_result"), ""),
                responsible_unassigned=action_field(action_id, "responsible_unassigned") in values,
            )
    sections = {name: values[name] for name in SECTIONS if name in values}
    return PostedProgram(ProgramInput(sections, targets, actions), values, errors, _command(formdata.get("op")))


def field_value(values: Mapping[str, str] | None, name: str, stored) -> str:
    """What a constructor field shows: the posted string after a failed save, otherwise the stored value."""
    if values is not None and name in values:
        return values[name]
    if stored is None:
        return ""
    if isinstance(stored, date):
        return stored.isoformat()
    return str(stored)

