from datetime import date

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    IntegerField,
    SelectField,
    StringField,
    TelField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange, Optional, ValidationError

from ...domain.platform_links import LinkError, normalize_profile_link
from ...domain.profile_choices import (
    EXPERIENCE_MAX_YEARS,
    POSITIONS,
    QUALIFICATION_CATEGORIES,
    SUBJECTS_MAX_LENGTH,
    choices_with_current,
)
from ...kernel.forms import EmailAddress, PasswordField, PhoneNumber, max_length, required, strip_filter
from ...models import ACCOUNT_STATUS_LABELS, Platform, User
from ..organizations.forms import check_workplace, workplace_fields

EXPERIENCE_MESSAGE = f"Укажите стаж целым числом лет от 0 до {EXPERIENCE_MAX_YEARS}."


class ProfileForm(FlaskForm):
    last_name = StringField("Фамилия", filters=[strip_filter], validators=[required("Укажите фамилию."), max_length(100)])
    first_name = StringField("Имя", filters=[strip_filter], validators=[required("Укажите имя."), max_length(100)])
    middle_name = StringField("Отчество", filters=[strip_filter], validators=[max_length(100)])
    phone = TelField("Контактный номер телефона", filters=[strip_filter], validators=[max_length(40), PhoneNumber()])
    settlement = StringField("Населённый пункт", filters=[strip_filter], validators=[max_length(200)])
    workplace, organization_id, workplace_choice, workplace_asked = workplace_fields()
    position = SelectField("Должность", invalid_choice_message="Выберите должность из списка.")
    subjects = StringField(
        "Преподаваемые предметы", filters=[strip_filter], validators=[max_length(SUBJECTS_MAX_LENGTH)]
    )
    qualification_category = SelectField(
        "Квалификационная категория", invalid_choice_message="Выберите категорию из списка."
    )
    experience_years = IntegerField(
        "Педагогический стаж, полных лет",
        invalid_value_message=EXPERIENCE_MESSAGE,
        validators=[Optional(), NumberRange(min=0, max=EXPERIENCE_MAX_YEARS, message=EXPERIENCE_MESSAGE)],
    )

    validate_workplace = check_workplace

    @classmethod
    def for_user(cls, user: User, workplace: str) -> "ProfileForm":
        """Posted values if any, else the stored profile; a stored value that is off the lists stays selectable."""
        form = cls(obj=user, workplace=workplace)
        form.current_workplace = workplace  # left as it is, it keeps the current match
        form.position.choices = _choices(POSITIONS, user.position)
        form.qualification_category.choices = _choices(QUALIFICATION_CATEGORIES, user.qualification_category)
        return form


def _choices(options: tuple[str, ...], current: str | None) -> list[SelectChoice]:
    # The Russian text is both the stored value and the label: readable in exports and the staff register.
    return [SelectChoice("", "— не указана —"), *(SelectChoice(o, o) for o in choices_with_current(options, current))]


class EmailChangeForm(FlaskForm):
    new_email = EmailField(
        "Новый адрес электронной почты",
        filters=[strip_filter],
        validators=[required("Укажите новый адрес электронной почты."), max_length(254), EmailAddress()],
    )
    current_password = PasswordField("Текущий пароль", validators=[required("Введите текущий пароль.")])


STATUS_CHOICES = [SelectChoice(status.value, label) for status, label in ACCOUNT_STATUS_LABELS.items()]


class PlatformAccountForm(FlaskForm):
    """One platform's row of the platforms page; its field names carry the platform id."""

    class Meta:
        csrf = False  # the page's single token is checked by the enclosing EmptyForm

    status = SelectField(choices=STATUS_CHOICES, invalid_choice_message="Выберите статус из списка.")
    since = DateField(
        format=["%Y-%m-%d", "%d.%m.%Y"],  # the date picker's value, or a date typed where there is no picker
        validators=[Optional()],
        invalid_value_message="Введите дату в виде ДД.ММ.ГГГГ.",
    )
    # Text, not type=url: a link copied without https:// is taken (the scheme is added), and the browser must
    # neither refuse it nor call the page invalid for showing it back.
    profile_url = StringField(filters=[strip_filter], validators=[Optional(), max_length(500)])

    def __init__(self, platform: Platform, today: date, **kwargs):
        super().__init__(prefix=f"platform-{platform.id}", **kwargs)
        self.platform = platform
        self.today = today
        # Each label names its platform, so a screen reader announces which row a control belongs to.
        self.status.label.text = f"Статус: {platform.name}"
        self.since.label.text = f"С какого времени: {platform.name}"
        self.profile_url.label.text = f"Ссылка на профиль: {platform.name}"

    def validate_since(self, field):
        if field.data and field.data > self.today:
            raise ValidationError("Дата не может быть в будущем.")

    def validate_profile_url(self, field):
        try:
            field.data = normalize_profile_link(field.data, self.platform.domain_list)
        except LinkError as error:
            raise ValidationError(str(error)) from None
