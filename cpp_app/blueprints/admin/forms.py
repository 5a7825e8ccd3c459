from flask_wtf import FlaskForm
from wtforms import Form, SearchField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional, Regexp

from ...kernel.forms import choice_field, max_length, required, strip_filter
from ...models import ROLE_LABELS, Role

ROLE_CHOICES = [SelectChoice(role.value, ROLE_LABELS[role]) for role in Role]


class UserFilterForm(Form):
    """The search box and role filter of the user list; read from the query string, so no CSRF token."""

    q = SearchField("Поиск", filters=[strip_filter], validators=[Optional(), max_length(100)])
    role = SelectField("Роль", choices=[SelectChoice("", "Все роли"), *ROLE_CHOICES], validate_choice=False)

    @property
    def query(self) -> str:
        return (self.q.data or "")[:100]

    @property
    def selected_role(self) -> Role | None:
        try:
            return Role(self.role.data)
        except ValueError:
            return None

    def link_args(self) -> dict[str, str]:
        """The filters to keep in page links; empty ones are left out."""
        args = {}
        if self.query:
            args["q"] = self.query
        if self.selected_role is not None:
            args["role"] = self.selected_role.value
        return args


class RoleForm(FlaskForm):
    role = choice_field("Роль", ROLE_CHOICES, "Выберите роль из списка.")
    organization_inn = StringField(
        "ИНН организации",
        filters=[strip_filter],
        validators=[Optional(), Regexp(r"^\d{10}(\d{2})?$", message="ИНН состоит из 10 или 12 цифр.")],
    )


class BlockForm(FlaskForm):
    reason = TextAreaField(
        "Причина блокировки",
        filters=[strip_filter],
        validators=[required("Укажите причину блокировки."), max_length(500)],
    )
