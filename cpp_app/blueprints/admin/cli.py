"""`flask --app wsgi create-user`: accounts made by the service operator."""
from dataclasses import replace

import click
from flask.cli import with_appcontext

from ...extensions import db
from ...kernel.actor import Actor
from ...kernel.cli import CliError
from ...models import Role

CLI_ACTOR = Actor(user_id=None, ip=None, user_agent="flask create-user")
ROLE_VALUES = "|".join(role.value for role in Role)


def _refuse(errors: dict[str, str]) -> CliError:
    db.session.rollback()
    return CliError("Пользователь не создан.\n" + "\n".join(f"  — {text}" for text in errors.values()))


def _ask_password() -> str:
    password = click.prompt("Пароль", hide_input=True, default="", show_default=False)
    repeated = click.prompt("Повторите пароль", hide_input=True, default="", show_default=False)
    if password != repeated:
        raise _refuse({"password": "Пароли не совпадают."})  # nosec B105 # a message, not a password
    return password


@click.command(
    "create-user",
    help="Создать учётную запись пользователя ЦПП. Согласие на обработку персональных данных "
    "пользователь даст сам при первом входе.",
)
@click.option("--email", required=True, help="Адрес электронной почты (логин).")
@click.option("--role", required=True, metavar=ROLE_VALUES, help=f"Роль: {ROLE_VALUES}.")
@click.option("--organization", "organization_inn", metavar="ИНН", help="ИНН организации (обязателен для school_admin).")
@click.option("--password", help="Пароль; если не указан, будет запрошен дважды без отображения.")
@click.option("--last-name", default="", help="Фамилия.")
@click.option("--first-name", default="", help="Имя.")
@with_appcontext
def create_user_command(email, role, organization_inn, password, last_name, first_name):
    # The help text is Russian (user-facing); the consent gate asks the new user for consent.
    from .services import FieldErrors, NewUser, create_user, new_user_problems

    data = NewUser(
        email=email,
        role=role,
        organization_inn=organization_inn,
        last_name=last_name.strip(),
        first_name=first_name.strip(),
    )
    problems = new_user_problems(data)  # before asking for a password that would be wasted
    if problems:
        raise _refuse(problems)
    if password is None:
        password = _ask_password()
    try:
        user = create_user(replace(data, password=password), CLI_ACTOR)
    except FieldErrors as error:
        raise _refuse(error.errors) from None
    db.session.commit()

    where = f", организация: {user.organization.short_name} (ИНН {user.organization.inn})" if user.organization else ""
    click.echo(f"Создан пользователь {user.email} (id {user.id}), роль: {user.role.label}{where}.")
    click.echo("При первом входе пользователь подтвердит согласие на обработку персональных данных.")
