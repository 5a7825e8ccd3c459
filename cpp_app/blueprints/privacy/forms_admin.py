from flask_wtf import FlaskForm
from wtforms import Form, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice

from ...kernel.forms import max_length, required, strip_filter
from ...models import PRIVACY_REQUEST_KIND_LABELS, PrivacyRequestKind
from .services_operator import MAX_RESPONSE_LENGTH, QueueState

STATE_CHOICES = [
    SelectChoice(QueueState.OPEN.value, "Открытые"),
    SelectChoice(QueueState.COMPLETED.value, "Исполненные"),
    SelectChoice(QueueState.ALL.value, "Все"),
]
KIND_CHOICES = [SelectChoice("", "Все виды"),
                *(SelectChoice(kind.value, label) for kind, label in PRIVACY_REQUEST_KIND_LABELS.items())]


class QueueFilterForm(Form):
    """The queue's filters; read from the query string, so no CSRF token. Unknown values fall back to defaults."""

    state = SelectField("Состояние", choices=STATE_CHOICES, validate_choice=False)
    kind = SelectField("Вид", choices=KIND_CHOICES, validate_choice=False)

    @property
    def selected_state(self) -> QueueState:
        try:
            return QueueState(self.state.data)
        except ValueError:
            return QueueState.OPEN

    @property
    def selected_kind(self) -> PrivacyRequestKind | None:
        try:
            return PrivacyRequestKind(self.kind.data)
        except ValueError:
            return None

    def link_args(self) -> dict[str, str]:
        args = {}
        if self.selected_state != QueueState.OPEN:
            args["state"] = self.selected_state.value
        if self.selected_kind is not None:
            args["kind"] = self.selected_kind.value
        return args


class AnswerForm(FlaskForm):
    response = TextAreaField(
        "Ответ заявителю",
        filters=[strip_filter],
        validators=[required("Напишите ответ заявителю."), max_length(MAX_RESPONSE_LENGTH)],
    )
