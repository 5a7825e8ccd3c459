"""`flask create-user`: the operator's way to make accounts, including the first admin."""
import pytest
from sqlalchemy import func, select

from cpp_app.blueprints.privacy.services import ConsentSituation, consent_situation
from cpp_app.domain.inn import inn10_with_check_digit
from cpp_app.models import AuditEvent, Municipality, Organization, OrganizationKind, Role, User
from cpp_app.security import check_password

PASSWORD = "Enisei-river-2026"
INN = inn10_with_check_digit("999000002")


@pytest.fixture
def runner(app, database):
    return app.test_cli_runner()


@pytest.fixture
def school(database):
    """A head school listed after its branch, both with the same ИНН."""
    municipality = database.session.scalars(select(Municipality).order_by(Municipality.id)).first()
    branch = Organization(full_name="Тестовая начальная школа (филиал)", short_name="Тестовая НШ (филиал)",
                          kind=OrganizationKind.BRANCH, inn=INN, municipality=municipality)
    database.session.add(branch)
    database.session.flush()  # the branch gets the lower id on purpose
    head = Organization(full_name="Тестовая средняя школа № 2", short_name="МБОУ Тестовая СОШ № 2",
                        kind=OrganizationKind.SCHOOL, inn=INN, municipality=municipality)
    database.session.add(head)
    database.session.flush()
    branch.head = head
    database.session.commit()
    assert branch.id < head.id
    return head


def create(runner, *args, input=None):
    return runner.invoke(args=["create-user", *args], input=input)


def users_with(database, email) -> int:
    database.session.rollback()
    return database.session.scalar(select(func.count(User.id)).where(func.lower(User.email) == email.lower()))


def user_count(database) -> int:
    database.session.rollback()
    return database.session.scalar(select(func.count(User.id)))


def test_creates_an_admin_with_the_password_option(runner, database):
    result = create(runner, "--email", "Operator@KIPK.example", "--role", "admin", "--password", PASSWORD,
                    "--last-name", "Орлов", "--first-name", "Дмитрий")
    assert result.exit_code == 0, result.output
    assert "Создан пользователь operator@kipk.example" in result.output
    assert "Администратор сервиса" in result.output

    user = database.session.scalar(select(User).where(User.email == "operator@kipk.example"))
    assert user.role == Role.ADMIN and user.last_name == "Орлов" and user.first_name == "Дмитрий"
    assert user.organization is None
    assert check_password(user, PASSWORD)
    assert consent_situation(user.id) is ConsentSituation.NEVER_GIVEN  # asked at first sign-in by the consent gate
    event = database.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.created_by_cli"))
    assert event.target_id == user.id and event.actor_id is None and event.details["role"] == "admin"


def test_school_admin_gets_the_head_organization(runner, database, school):
    result = create(runner, "--email", "director@school.example", "--role", "school_admin",
                    "--organization", INN, "--password", PASSWORD)
    assert result.exit_code == 0, result.output
    assert "МБОУ Тестовая СОШ № 2" in result.output
    user = database.session.scalar(select(User).where(User.email == "director@school.example"))
    assert user.role == Role.SCHOOL_ADMIN and user.organization_id == school.id


def test_prompts_for_the_password_twice(runner, database):
    result = create(runner, "--email", "teacher@school.example", "--role", "teacher",
                    input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "Пароль" in result.output and "Повторите пароль" in result.output
    assert PASSWORD not in result.output  # hidden input
    user = database.session.scalar(select(User).where(User.email == "teacher@school.example"))
    assert check_password(user, PASSWORD)


def test_prompted_passwords_must_match(runner, database):
    result = create(runner, "--email", "teacher@school.example", "--role", "teacher",
                    input=f"{PASSWORD}\n{PASSWORD}x\n")
    assert result.exit_code != 0
    assert "Пароли не совпадают" in result.output
    assert users_with(database, "teacher@school.example") == 0


@pytest.mark.parametrize("password", ["short", "qwerty123", "12345678", "teacher-school"])
def test_rejects_a_weak_password(runner, database, password):
    result = create(runner, "--email", "teacher@school.example", "--role", "teacher", "--password", password)
    assert result.exit_code != 0
    assert "Пользователь не создан" in result.output and "ароль" in result.output
    assert users_with(database, "teacher@school.example") == 0


def test_rejects_a_duplicate_email_in_another_case(runner, database):
    assert create(runner, "--email", "teacher@school.example", "--role", "teacher",
                  "--password", PASSWORD).exit_code == 0
    before = user_count(database)
    result = create(runner, "--email", "TEACHER@School.Example", "--role", "methodologist", "--password", PASSWORD)
    assert result.exit_code != 0
    assert "уже есть в ЦПП" in result.output
    assert user_count(database) == before
    assert database.session.scalar(select(User.role).where(User.email == "teacher@school.example")) == Role.TEACHER


def test_rejects_an_unknown_inn(runner, database):
    result = create(runner, "--email", "director@school.example", "--role", "school_admin",
                    "--organization", "2400000000", "--password", PASSWORD)
    assert result.exit_code != 0
    assert "не найдена в реестре" in result.output
    assert users_with(database, "director@school.example") == 0


def test_school_admin_requires_an_organization(runner, database):
    result = create(runner, "--email", "director@school.example", "--role", "school_admin", "--password", PASSWORD)
    assert result.exit_code != 0
    assert "укажите ИНН организации" in result.output
    assert users_with(database, "director@school.example") == 0


@pytest.mark.parametrize("role", ["superuser", "Admin", ""])
def test_rejects_a_bad_role(runner, database, role):
    before = user_count(database)
    result = create(runner, "--email", "someone@school.example", "--role", role, "--password", PASSWORD)
    assert result.exit_code != 0
    assert "Неизвестная роль" in result.output
    assert user_count(database) == before


def test_rejects_a_bad_email_without_asking_for_a_password(runner, database):
    before = user_count(database)
    result = create(runner, "--email", "not-an-email", "--role", "teacher", input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code != 0
    assert "не похож на адрес электронной почты" in result.output
    assert "Повторите пароль" not in result.output
    assert user_count(database) == before
    assert database.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "user.created_by_cli")) == 0
