"""The review queue's filters and the decision form with a comment per indicator."""
from flask_wtf import FlaskForm
from wtforms import Form, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from ...kernel.forms import RuDateField, max_length, strip_filter
from ...models import DiagnosticStatus, Municipality
from .services import QueueFilters

TEXT_LIMIT = 4000
ALL_STATUSES = "all"
STATUS_CHOICES = [
    SelectChoice(DiagnosticStatus.SUBMITTED.value, "На проверке"),
    SelectChoice(DiagnosticStatus.RETURNED.value, "Возвращены на доработку"),
    SelectChoice(DiagnosticStatus.ACCEPTED.value, "Приняты"),
    SelectChoice(ALL_STATUSES, "Все, кроме черновиков"),
]


class QueueFilterForm(Form):
    """Read from the query string, so no CSRF token; an invalid value is ignored, not an error page."""

    municipality = SelectField("Муниципалитет", validate_choice=False)
    status = SelectField("Статус", choices=STATUS_CHOICES, default=DiagnosticStatus.SUBMITTED.value,
                         validate_choice=False)
    submitted_from = RuDateField("Отправлена с", validators=[Optional()])
    submitted_to = RuDateField("Отправлена по", validators=[Optional()])

    def __init__(self, formdata, municipalities: list[Municipality]):
        super().__init__(formdata)
        self._municipality_ids = {str(m.id) for m in municipalities}
        self.municipality.choices = [SelectChoice("", "Все"), *(SelectChoice(str(m.id), m.name) for m in municipalities)]

    def validate_submitted_to(self, field):
        if field.data and self.submitted_from.data and field.data < self.submitted_from.data:
            raise ValueError("Дата «по» раньше даты «с».")

    @property
    def filters(self) -> QueueFilters:
        status = self.status.data
        valid_dates = not (self.submitted_from.errors or self.submitted_to.errors)
        return QueueFilters(
            municipality_id=int(self.municipality.data) if self.municipality.data in self._municipality_ids else None,
            status=None if status == ALL_STATUSES else _status(status),
            submitted_from=self.submitted_from.data if valid_dates else None,
            submitted_to=self.submitted_to.data if valid_dates else None,
        )

    def link_args(self) -> dict[str, str]:
        """The filters to keep in page links; empty, default and invalid ones are left out."""
        filters = self.filters
        args = {}
        if filters.municipality_id is not None:
            args["municipality"] = str(filters.municipality_id)
        if filters.status != DiagnosticStatus.SUBMITTED:
            args["status"] = filters.status.value if filters.status is not None else ALL_STATUSES
        if filters.submitted_from is not None:
            args["submitted_from"] = filters.submitted_from.isoformat()
        if filters.submitted_to is not None:
            args["submitted_to"] = filters.submitted_to.isoformat()
        return args


def _status(value: str) -> DiagnosticStatus:
    """An unknown or draft status falls back to the queue's default."""
    try:
        status = DiagnosticStatus(value)
    except ValueError:
        return DiagnosticStatus.SUBMITTED
    return DiagnosticStatus.SUBMITTED if status == DiagnosticStatus.DRAFT else status


class ReviewForm(FlaskForm):
    """The note and, added per methodology by `review_form`, fields `comment_<n>` for its n-th indicator."""

    note = TextAreaField("Комментарий к решению", filters=[strip_filter],
                         validators=[Optional(), max_length(TEXT_LIMIT)])
    codes: list[str] = []

    def comment(self, index: int):
        return self[f"comment_{index}"]

    def comments_by_code(self) -> dict[str, str]:
        return {code: self.comment(index).data or "" for index, code in enumerate(self.codes)}


def review_form(codes: list[str], stored: dict[str, str], **kwargs) -> ReviewForm:
    """The form for a methodology's indicators, prefilled with the stored reviewer comments (a posted form
    shows what was posted instead)."""
    form_class = type("MethodologyReviewForm", (ReviewForm,), {"codes": list(codes)})
    for index in range(len(codes)):
        setattr(form_class, f"comment_{index}", TextAreaField(
            "Комментарий методиста", filters=[strip_filter], validators=[Optional(), max_length(TEXT_LIMIT)]
        ))
    data = {f"comment_{index}": stored.get(code, "") for index, code in enumerate(codes)}
    return form_class(data=data, **kwargs)
