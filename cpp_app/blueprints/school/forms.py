from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import Form, HiddenField, SearchField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from ...kernel.forms import IdListField, max_length, strip_filter
from .services import MAX_SELECTED, PLATFORM_FILTER_LABELS, PlatformCounts, PlatformFilter, StaffFilters, StateFilter


class StaffFilterForm(Form):
    """Search and filters of the staff list; read from the query string, so no CSRF token."""

    q = SearchField("Поиск", filters=[strip_filter], validators=[Optional(), max_length(100)])
    state = SelectField("Подтверждение", validate_choice=False, choices=[
        SelectChoice("", "Все"),
        SelectChoice(StateFilter.PENDING.value, "Ожидают подтверждения"),
        SelectChoice(StateFilter.CONFIRMED.value, "Подтверждены"),
    ])
    platform = SelectField("Платформа", validate_choice=False)
    platform_status = SelectField("Статус на платформе", validate_choice=False, choices=[
        SelectChoice("", "Любой"), *(SelectChoice(value.value, label) for value, label in PLATFORM_FILTER_LABELS.items()),
    ])

    def __init__(self, formdata, platforms: tuple[PlatformCounts, ...]):
        super().__init__(formdata)
        self._platform_ids = {platform.code: platform.platform_id for platform in platforms}
        self.platform.choices = [SelectChoice("", "Любая"), *(SelectChoice(p.code, p.name) for p in platforms)]

    def _enum(self, enum_class, value):
        try:
            return enum_class(value)
        except ValueError:
            return None

    @property
    def filters(self) -> StaffFilters:
        return StaffFilters(
            query=(self.q.data or "")[:100],
            state=self._enum(StateFilter, self.state.data),
            platform_id=self._platform_ids.get(self.platform.data),
            platform_status=self._enum(PlatformFilter, self.platform_status.data),
        )

    def link_args(self) -> dict[str, str]:
        """The filters to keep in page links; empty and unknown ones are left out."""
        filters = self.filters
        args = {}
        if filters.query:
            args["q"] = filters.query
        if filters.state is not None:
            args["state"] = filters.state.value
        if filters.platform_id is not None:
            args["platform"] = self.platform.data
        if filters.platform_status is not None:
            args["platform_status"] = filters.platform_status.value
        return args


class RegisterImportForm(FlaskForm):
    file = FileField("Файл реестра (CSV или XLSX)", validators=[
        FileRequired("Выберите файл реестра."),
        FileAllowed(["csv", "xlsx"], "Загрузите реестр в формате CSV или XLSX."),
    ])


class StaffSelectionForm(FlaskForm):
    """The staff ticked on the list and the list to return to: read from the query string for the summary
    (no CSRF: it changes nothing), posted with a CSRF token to confirm."""

    user_ids = IdListField(limit=MAX_SELECTED, noun="сотрудников")
    next = HiddenField()


class RegisterApplyForm(FlaskForm):
    """The previewed register, kept on the server under a one-time token: load it, or drop it."""

    token = HiddenField()
