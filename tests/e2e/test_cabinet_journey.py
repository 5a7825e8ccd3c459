"""The cabinet and staff confirmation as people use them, in a real browser."""
import re

from playwright.sync_api import expect
from sqlalchemy import select

from cpp_app.models import Organization, Role
from tests.e2e.test_diagnostic_fill import sign_in

# A real 1×1 PNG: certificates are parsed, not only sniffed.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c49444154789c63f8ffff3f"
                    "0005fe02fe0def46b80000000049454e44ae426082")


def sign_out(page):
    page.get_by_role("button", name="Выйти").click()


def test_teacher_fills_cabinet_and_school_confirms_from_register(page, make_user, database, tmp_path):
    school = database.session.scalars(
        select(Organization).where(Organization.inn.is_not(None)).order_by(Organization.id)
    ).first()
    make_user(email="teacher@school.example", last_name="Воронцова", first_name="Дарья", middle_name="Олеговна",
              phone="+79135550001", organization=school)
    make_user(role=Role.SCHOOL_ADMIN, email="director@school.example", organization=school, phone="+79135550002")

    # The teacher fills the profile.
    sign_in(page, "teacher@school.example")
    expect(page.get_by_text("ожидает подтверждения от организации").first).to_be_visible()
    page.get_by_role("link", name="Профиль", exact=True).click()
    page.get_by_label("Должность").select_option("учитель")
    page.get_by_label(re.compile("Преподаваемые предметы")).fill("математика, информатика")
    page.get_by_label(re.compile("Педагогический стаж")).fill("12")
    page.get_by_role("button", name="Сохранить профиль").click()
    expect(page.get_by_text("Профиль сохранён.")).to_be_visible()

    # Marks «Моя школа» registered.
    page.get_by_role("link", name="Платформы", exact=True).click()
    page.get_by_label("Статус: ФГИС «Моя школа»").select_option(label="зарегистрирован")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_label("Статус: ФГИС «Моя школа»")).to_have_value("registered")

    # Adds a completed external course with a certificate.
    page.get_by_role("link", name="Курсы", exact=True).click()
    page.get_by_role("link", name="Добавить курс другой организации").click()
    page.get_by_label("Название курса").fill("Цифровая дидактика")
    page.get_by_label("Организация, проводившая обучение").fill("ФГАОУ ДПО «Академия Минпросвещения России»")
    page.get_by_label("Объём, часов").fill("36")
    page.get_by_label("Дата окончания").fill("2026-11-20")
    page.get_by_label("Номер удостоверения или сертификата").fill("ПК-2026-0042")
    certificate = tmp_path / "udostoverenie.png"
    certificate.write_bytes(PNG)
    page.get_by_label("Скан удостоверения").set_input_files(str(certificate))
    page.get_by_role("button", name="Добавить курс").click()
    expect(page.get_by_text("Цифровая дидактика")).to_be_visible()
    sign_out(page)

    # The school admin imports a register that contains the teacher.
    register = tmp_path / "reestr.csv"
    register.write_text(
        "ФИО;Email;Телефон;Должность\n"
        "Воронцова Дарья Олеговна;Teacher@School.example;;учитель\n"
        "Егоров Павел Ильич;egorov@school.example;8 (913) 555-00-99;учитель\n",
        encoding="cp1251",
    )
    sign_in(page, "director@school.example")
    page.get_by_role("link", name="Сотрудники").click()
    moya_shkola = page.locator('tr[data-platform="moya_shkola"]')
    expect(moya_shkola.locator('[data-count="registered"]')).to_contain_text("1")
    expect(page.locator('[data-count="confirmed"]')).to_contain_text("0")
    page.get_by_role("link", name="Загрузить реестр сотрудников из КИАСУО").click()
    page.get_by_label("Файл реестра (CSV или XLSX)").set_input_files(str(register))
    page.get_by_role("button", name="Проверить файл").click()
    # Nothing changes before the admin has seen what will.
    expect(page.get_by_role("heading", name="Загрузить реестр сотрудников?")).to_be_visible()
    expect(page.locator('[data-count="added"]')).to_have_text("2")
    expect(page.get_by_text("Воронцова Дарья Олеговна")).to_be_visible()
    page.get_by_role("button", name="Загрузить реестр").click()

    expect(page.locator('[data-count="confirmed"]')).to_contain_text("1")
    row = page.get_by_role("row", name=re.compile("Воронцова"))
    expect(row.get_by_text("подтверждён", exact=False).first).to_be_visible()
    expect(page.get_by_text("Егоров Павел Ильич")).to_be_visible()  # in the register, not yet in ЦПП
