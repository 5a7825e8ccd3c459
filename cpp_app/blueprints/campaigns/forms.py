"""The form that opens a campaign."""
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf

from ...kernel.forms import IdListField, RuDateField, max_length, required, strip_filter, typed_required
from .services import MAX_MUNICIPALITIES, TITLE_LIMIT, CampaignInput

WHOLE_REGION, CHOSEN = "region", "chosen"


class CampaignForm(FlaskForm):
    title = StringField("Название кампании", filters=[strip_filter],
                        validators=[required("Укажите название кампании."), max_length(TITLE_LIMIT)])
    methodology_id = SelectField("Методика самооценки", validate_choice=False,
                                 validators=[required("Выберите методику самооценки.")])
    starts_on = RuDateField("Дата начала", validators=[typed_required("Укажите дату начала.")])
    ends_on = RuDateField("Дата окончания", validators=[typed_required("Укажите дату окончания.")])
    scope = RadioField(
        "Кого приглашаем",
        choices=[SelectChoice(WHOLE_REGION, "Весь край"), SelectChoice(CHOSEN, "Выбранные муниципалитеты")],
        default=WHOLE_REGION, validate_choice=False,
        validators=[AnyOf((WHOLE_REGION, CHOSEN), message="Выберите, кого приглашаем.")],
    )
    municipality_ids = IdListField("Муниципалитеты", limit=MAX_MUNICIPALITIES, noun="муниципалитетов")

    def set_choices(self, instruments) -> None:
        self.methodology_id.choices = [SelectChoice("", "— выберите —")] + [
            SelectChoice(str(version.id), f"{version.title}, версия {version.version}") for version in instruments
        ]

    def campaign_input(self) -> CampaignInput:
        value = (self.methodology_id.data or "").strip()
        return CampaignInput(
            title=self.title.data or "",
            methodology_id=int(value) if value.isdigit() and len(value) < 10 else None,
            starts_on=self.starts_on.data, ends_on=self.ends_on.data,
            whole_region=self.scope.data != CHOSEN,
            municipality_ids=list(self.municipality_ids.data or []),
        )
