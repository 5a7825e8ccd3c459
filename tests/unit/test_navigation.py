"""The menu: at most seven top items per role, the current area and page marked, every former menu page linked."""
import pytest

from cpp_app.blueprints.start.navigation import build_menu
from cpp_app.models import Role

# The pages the menu linked to before it was grouped into areas: each must stay one or two clicks away.
FORMER_MENU = {
    Role.TEACHER: {"main.index", "cabinet.overview", "privacy.policy"},
    Role.SCHOOL_ADMIN: {"main.index", "cabinet.overview", "school.staff", "diagnostics.index", "programs.index",
                        "privacy.policy"},
    Role.METHODOLOGIST: {"main.index", "cabinet.overview", "monitoring.overview", "review.queue", "programs.index",
                         "admin.methodologies", "admin.measures", "admin.courses", "admin.workplaces", "privacy.policy"},
}
FORMER_MENU[Role.ADMIN] = FORMER_MENU[Role.METHODOLOGIST] | {"admin.users", "admin.privacy"}


def reachable(role, endpoint="main.index") -> set[str]:
    """Endpoints linked from the menu on any page of the role: the top items, the own cabinet and each area's tabs."""
    menu = build_menu(role, endpoint)
    found = {link.endpoint for link in menu.items} | ({menu.cabinet.endpoint} if menu.cabinet else set())
    for link in menu.items:
        found |= {tab.endpoint for tab in build_menu(role, link.endpoint).tabs}
    return found


@pytest.mark.parametrize("role", [None, *Role])
def test_at_most_seven_top_items(role):
    assert 2 <= len(build_menu(role, "main.index").items) <= 7


@pytest.mark.parametrize("role", list(Role))
def test_every_former_menu_page_is_still_linked(role):
    expected = set(FORMER_MENU[role])
    if role == Role.TEACHER:
        expected.discard("main.index")  # a teacher's «Главная» is the cabinet itself; the brand links «/» too
    if role in (Role.METHODOLOGIST, Role.ADMIN):
        expected.discard("privacy.policy")  # in the footer of every page
    assert expected <= reachable(role)


def current(menu) -> dict[str, str]:
    return {link.label: link.current for link in (*menu.items, *menu.tabs) if link.current}


def test_the_area_and_the_page_are_marked():
    assert current(build_menu(Role.METHODOLOGIST, "monitoring.inactive")) == {
        "Мониторинг": "true", "Неактивные организации": "page"}
    assert current(build_menu(Role.METHODOLOGIST, "monitoring.overview")) == {
        "Мониторинг": "page", "Обзор по краю": "page"}
    # A detail page marks its list's tab as the area; the longest prefix decides between «Курсы» and «Внешние курсы».
    assert current(build_menu(Role.METHODOLOGIST, "admin.course_edit")) == {"Справочники": "true", "Курсы": "true"}
    assert current(build_menu(Role.ADMIN, "admin.courses_external")) == {"Справочники": "true", "Внешние курсы": "page"}
    assert current(build_menu(Role.ADMIN, "admin.privacy_destruction")) == {
        "Администрирование": "true", "Акты уничтожения данных": "true"}
    assert current(build_menu(Role.SCHOOL_ADMIN, "main.index")) == {"Главная": "page"}
    assert current(build_menu(Role.SCHOOL_ADMIN, "cabinet.security")) == {"Мой кабинет педагога": "true"}
    assert current(build_menu(Role.TEACHER, "cabinet.overview")) == {"Главная": "page"}
    assert current(build_menu(None, "privacy.consent")) == {"Персональные данные": "true"}


def test_the_own_cabinet_of_institute_staff_and_pages_outside_any_area():
    menu = build_menu(Role.ADMIN, "cabinet.data")
    assert menu.cabinet.current == "true" and current(menu) == {}
    assert build_menu(Role.TEACHER, "cabinet.data").cabinet is None
    lost = build_menu(Role.METHODOLOGIST, None)  # e.g. a 404 page
    assert current(lost) == {} and lost.tabs == ()
