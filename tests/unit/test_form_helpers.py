"""The kernel's form pieces behind «all errors at once»: the domain checks as validators, the summary's lines, and
password inputs shown again unless refused."""
from datetime import timedelta

from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, Form, HiddenField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import EqualTo

from cpp_app.kernel.clock import local_today
from cpp_app.kernel.forms import (
    NotAfterToday,
    NotBefore,
    PasswordField,
    PhoneNumber,
    RuDateField,
    StrongPassword,
    error_items,
    required,
)


class SignUp(Form):
    name = StringField("Имя", validators=[required("Укажите имя.")])
    phone = StringField("Телефон", validators=[PhoneNumber()])
    level = RadioField("Уровень", choices=[SelectChoice("1", "один"), SelectChoice("2", "два")], validate_choice=True)
    token = HiddenField()
    password = PasswordField("Пароль", validators=[required("Придумайте пароль."),
                                                  StrongPassword(lambda form: (form.name.data,))])
    password_confirm = PasswordField("Ещё раз", validators=[EqualTo("password", "Пароли не совпадают.")],
                                     follows="password")
    agree = BooleanField("Согласие", validators=[required("Отметьте согласие.")])


def posted(**values) -> SignUp:
    form = SignUp(MultiDict(values))
    form.validate()
    return form


def test_every_field_is_checked_in_one_round():
    form = posted(phone="12", password="short", password_confirm="short", level="9")
    assert set(form.errors) == {"name", "phone", "level", "password", "agree"}
    assert "не существует" in form.phone.errors[0] or "не распознан" in form.phone.errors[0]
    assert form.password.errors == ["Пароль должен быть не короче 8 символов."]


def test_an_empty_optional_phone_is_no_error_and_a_real_one_passes():
    assert not posted(phone="").phone.errors
    assert not posted(phone="8 (912) 345-67-89").phone.errors


def test_the_password_must_not_contain_the_names_typed_beside_it():
    form = posted(name="Виктория", password="виктория-2026-лето", password_confirm="виктория-2026-лето")
    assert "личными данными" in form.password.errors[0]


def test_a_password_is_shown_again_unless_refused():
    kept = posted(password="Енисей-течёт-на-север", password_confirm="Енисей-течёт-на-север")
    assert kept.errors and 'value="Енисей-течёт-на-север"' in kept.password()
    assert 'value="Енисей-течёт-на-север"' in kept.password_confirm()
    refused = posted(name="А", password="12345678", password_confirm="12345678")
    assert 'value=""' in refused.password() and 'value=""' in refused.password_confirm()
    mismatch = posted(password="Енисей-течёт-на-север", password_confirm="Енисей-течёт")
    assert 'value="Енисей-течёт-на-север"' in mismatch.password()
    assert 'value=""' in mismatch.password_confirm()


def test_a_password_refused_by_the_service_afterwards_is_not_shown_again():
    form = posted(password="Енисей-течёт-на-север", password_confirm="Енисей-течёт-на-север")
    form.password.errors = ["Неверный пароль."]
    assert 'value=""' in form.password() and 'value=""' in form.password_confirm()


def test_summary_lines_follow_the_fields_and_link_to_their_inputs():
    form = posted(phone="12", password="12345678", password_confirm="12345678", level="9", token="x")
    form.token.errors = ["Страница устарела."]
    items = error_items(form, extra=[("elsewhere", "Ещё одна ошибка.")])
    assert [target for target, _ in items] == ["name", "phone", "level-0", None, "password", "agree", "elsewhere"]
    assert items[0] == ("name", "Укажите имя.")
    labelled = error_items(form, labelled=True)
    assert labelled[0] == ("name", "Имя — Укажите имя.")


def test_dates_not_in_the_future_and_periods_not_backwards():
    class Period(Form):
        starts_on = RuDateField("С")
        ends_on = RuDateField("По", validators=[NotBefore("starts_on", "Конец раньше начала."),
                                                NotAfterToday("Дата в будущем.")])

    tomorrow = local_today() + timedelta(days=1)
    form = Period(MultiDict({"starts_on": "2026-05-02", "ends_on": "2026-05-01"}))
    assert not form.validate() and form.ends_on.errors == ["Конец раньше начала."]
    form = Period(MultiDict({"ends_on": tomorrow.isoformat()}))
    assert not form.validate() and form.ends_on.errors == ["Дата в будущем."]
    assert Period(MultiDict({"starts_on": "2026-05-01", "ends_on": "2026-05-01"})).validate()
