"""A director confirms three teachers at once — ticked by their names, checked on a summary — in a real browser."""
import re

from playwright.sync_api import expect
from sqlalchemy import select

from cpp_app.models import AccountStatus, Organization, Platform, PlatformAccount, Role, utcnow
from tests.e2e.test_diagnostic_fill import sign_in

TEACHERS = [("Воронцова", "Дарья", "Олеговна"), ("Егоров", "Павел", "Ильич"), ("Лебедева", "Анна", "Сергеевна"),
            ("Миронов", "Олег", "Петрович")]


def test_director_confirms_three_teachers_at_once(page, make_user, database):
    school = database.session.scalars(select(Organization).order_by(Organization.id)).first()
    make_user(role=Role.SCHOOL_ADMIN, email="director@school.example", organization=school, confirmed_at=utcnow())
    teachers = [make_user(email=f"t{n}@school.example", last_name=last, first_name=first, middle_name=middle,
                          organization=school) for n, (last, first, middle) in enumerate(TEACHERS)]
    sferum = database.session.scalar(select(Platform).where(Platform.code == "sferum"))
    database.session.add(PlatformAccount(user_id=teachers[0].id, platform_id=sferum.id, status=AccountStatus.ACTIVE))
    database.session.commit()

    sign_in(page, "director@school.example")
    page.get_by_role("link", name="Сотрудники", exact=True).first.click()
    expect(page.locator('[data-count="pending"]')).to_have_text("4")
    for last, first, middle in TEACHERS[:3]:
        page.get_by_label(f"Выбрать: {last} {first} {middle}").check()
    page.get_by_role("button", name="Подтвердить выбранных").click()

    # The summary lists what will be confirmed; nothing has changed yet.
    expect(page.get_by_role("heading", name="Подтвердить выбранных")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("Работа в организации: 3 педагога"))).to_be_visible()
    members = page.locator('[data-summary="members"] li')
    expect(members).to_have_text(["Воронцова Дарья Олеговна", "Егоров Павел Ильич", "Лебедева Анна Сергеевна"])
    expect(page.locator('[data-summary="accounts"]')).to_contain_text("Воронцова Дарья Олеговна: Сферум")
    page.get_by_role("button", name="Подтвердить", exact=True).click()

    expect(page.get_by_text("Подтверждено: 3 педагога (работа в организации), 1 статус на платформах.")).to_be_visible()
    expect(page.locator('[data-count="pending"]')).to_have_text("1")
    expect(page.locator('[data-count="confirmed"]')).to_contain_text("4")
    expect(page.locator('tr[data-platform="sferum"] [data-count="active_confirmed"]')).to_contain_text("1")
    row = page.get_by_role("row", name=re.compile("Миронов"))
    expect(row.get_by_text("ожидает подтверждения")).to_be_visible()


def test_select_all_ticks_every_row_in_place(page, make_user, database):
    school = database.session.scalars(select(Organization).order_by(Organization.id)).first()
    make_user(role=Role.SCHOOL_ADMIN, email="director@school.example", organization=school, confirmed_at=utcnow())
    for n, (last, first, middle) in enumerate(TEACHERS):
        make_user(email=f"t{n}@school.example", last_name=last, first_name=first, middle_name=middle,
                  organization=school)
    sign_in(page, "director@school.example")
    page.goto("/school/staff")
    page.get_by_role("link", name="Выбрать все на странице").click()
    expect(page).to_have_url(re.compile(r"/school/staff$"))  # ticked by the script, no reload
    expect(page.locator('input[form="staff-bulk"]:checked')).to_have_count(len(TEACHERS) + 1)
    page.get_by_role("link", name="Снять выбор").click()
    expect(page.locator('input[form="staff-bulk"]:checked')).to_have_count(0)
