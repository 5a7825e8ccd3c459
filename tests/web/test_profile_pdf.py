"""The printable profile: GET /cabinet/profile.pdf."""
from datetime import date, datetime

import pytest
from sqlalchemy import select

from cpp_app import pdf
from cpp_app.blueprints.cabinet.pdf_services import profile_summary, years_text
from cpp_app.models import AccountStatus, Course, CourseRecord, CourseStatus, Platform, PlatformAccount
from tests.factories import pdf_page_texts, platforms_by_code

HOSTILE_TITLE = '<img src="file:///etc/passwd"> <a rel="attachment" href="file:///etc/passwd">x</a>'


@pytest.fixture
def rendered(monkeypatch):
    """The WeasyPrint documents the view lays out, and every URL their fetcher is asked for."""
    documents, asked = [], []
    original_render, original_fetch = pdf.render_document, pdf.LocalAssetFetcher.fetch

    def render_document(*args, **kwargs):
        document = original_render(*args, **kwargs)
        documents.append(document)
        return document

    def fetch(self, url, headers=None):
        asked.append(url)
        return original_fetch(self, url, headers)

    monkeypatch.setattr(pdf, "render_document", render_document)
    monkeypatch.setattr(pdf.LocalAssetFetcher, "fetch", fetch)
    return documents, asked


def typical_profile(database, make_user):
    """A teacher with every field filled, accounts on four platforms and four courses."""
    user = make_user(
        last_name="Константинопольская",
        first_name="Александра",
        middle_name="Владимировна",
        position="Учитель математики и информатики",
        subjects="Математика, информатика, вероятность и статистика",
        qualification_category="Высшая",
        experience_years=22,
        confirmed_at=datetime(2025, 9, 1),
    )
    accounts = [
        ("sferum", AccountStatus.ACTIVE, True),
        ("vk_messenger", AccountStatus.REGISTERED, False),
        ("moya_shkola", AccountStatus.ACTIVE, True),
        ("cok_library", AccountStatus.REGISTERED, False),
    ]
    for code, status, confirmed in accounts:
        database.session.add(
            PlatformAccount(
                user_id=user.id,
                platform_id=platforms_by_code(database)[code].id,
                status=status,
                since=date(2024, 3, 15),
                confirmed_at=datetime(2025, 1, 10) if confirmed else None,
            )
        )
    catalogue = database.session.scalars(select(Course).order_by(Course.id)).all()
    database.session.add_all(
        [
            CourseRecord(user_id=user.id, course_id=catalogue[1].id, status=CourseStatus.ENROLLED),
            CourseRecord(
                user_id=user.id,
                course_id=catalogue[0].id,
                status=CourseStatus.COMPLETED,
                completed_on=date(2025, 5, 30),
                certificate_number="242400123456",
                verified_at=datetime(2025, 6, 1),
            ),
            CourseRecord(user_id=user.id, course_id=catalogue[2].id, status=CourseStatus.APPLIED),
            CourseRecord(
                user_id=user.id,
                external_title="Цифровая образовательная среда: инструменты ФГИС «Моя школа»",
                external_provider="ФГАОУ ДПО «Академия Минпросвещения России»",
                external_hours=36,
                status=CourseStatus.COMPLETED,
                completed_on=date(2024, 11, 20),
                certificate_number="ПК-00042",
            ),
        ]
    )
    database.session.commit()
    return user, catalogue


def test_signed_in_teacher_gets_their_profile_as_one_page_pdf(client, make_user, login, database, rendered):
    documents, _ = rendered
    user, catalogue = typical_profile(database, make_user)
    login(user)

    response = client.get("/cabinet/profile.pdf")

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    assert response.headers["Content-Disposition"] == f'attachment; filename="profil-pedagoga-{user.id}.pdf"'
    assert response.headers["Cache-Control"] == "no-store"
    (document,) = documents
    assert len(document.pages) == 1
    assert document.metadata.title == "Цифровой профиль педагога — Константинопольская Александра Владимировна"
    text = page_texts_joined(document)
    for expected in (
        "Константинопольская Александра Владимировна",
        "Учитель математики и информатики",
        user.organization.short_name,
        user.organization.municipality.name,
        "подтверждён организацией",
        "Математика, информатика, вероятность и статистика",
        "Высшая",
        "22 года",
        "Сферум",
        "ФГИС «Моя школа»",
        "активно использую",
        "15.03.2024",
        "подтверждено организацией",
        "Госуслуги не зарегистрирован",
        catalogue[0].title,
        "242400123456",
        "30.05.2025",
        "проверено",
        "ПК-00042",
        f"Всего часов по завершённым курсам: {catalogue[0].hours + 36}",
        "Красноярский краевой институт повышения квалификации",
        "стр. 1 из 1",
    ):
        assert expected in text, expected
    # Every seeded platform is listed, in the seeded order.
    names = [p.name for p in database.session.scalars(select(Platform).order_by(Platform.sort_order))]
    assert len(names) == 7
    positions = [text.index(name) for name in names]
    assert positions == sorted(positions)
    # Completed courses first, the newest first; then courses under way, then applications.
    order = [catalogue[0].title, "Цифровая образовательная среда", catalogue[1].title, catalogue[2].title]
    positions = [text.index(title) for title in order]
    assert positions == sorted(positions)


def page_texts_joined(document) -> str:
    return " ".join(" ".join(pdf_page_texts(document.write_pdf())).split())


def test_empty_fields_say_not_specified(client, make_user, login, database, rendered):
    documents, _ = rendered
    user = make_user(organization=None, workplace_text="МБОУ СШ № 999 г. Нигдеинска")
    login(user)

    response = client.get("/cabinet/profile.pdf")

    assert response.status_code == 200
    text = page_texts_joined(documents[0])
    assert text.count("не указано") == 4  # position, subjects, category, experience
    assert "МБОУ СШ № 999 г. Нигдеинска" in text and "ожидает сопоставления с реестром" in text
    assert text.count("не зарегистрирован") == 7
    assert "Сведений о курсах нет." in text
    assert "Всего часов по завершённым курсам: 0" in text


def test_only_ones_own_profile_is_printed(client, make_user, login, database, rendered):
    documents, _ = rendered
    other = make_user(last_name="Чужая", position="Директор")
    database.session.add(
        CourseRecord(user_id=other.id, external_title="Курс другого педагога", external_hours=72,
                     status=CourseStatus.COMPLETED)
    )
    database.session.commit()
    me = make_user(last_name="Своя")
    login(me)

    response = client.get(f"/cabinet/profile.pdf?user_id={other.id}")

    assert response.status_code == 200
    assert f"profil-pedagoga-{me.id}.pdf" in response.headers["Content-Disposition"]
    text = page_texts_joined(documents[0])
    assert "Своя" in text
    assert "Чужая" not in text and "Курс другого педагога" not in text and "Директор" not in text


def test_user_text_is_printed_as_text_and_fetches_nothing(client, make_user, login, database, rendered):
    documents, asked = rendered
    user = make_user(position='<img src="file:///etc/passwd">')
    database.session.add(
        CourseRecord(
            user_id=user.id,
            external_title=HOSTILE_TITLE,
            external_provider='<link rel="stylesheet" href="https://example.com/x.css">',
            external_hours=16,
            status=CourseStatus.COMPLETED,
            certificate_number='<a rel="attachment" href="file:///etc/shadow">y</a>',
        )
    )
    database.session.commit()
    login(user)

    response = client.get("/cabinet/profile.pdf")

    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
    assert b"/EmbeddedFile" not in response.data
    assert asked, "the spy saw no fetch at all: it is not wired to the renderer"
    assert not [url for url in asked if "passwd" in url or "shadow" in url or "example.com" in url]
    assert all(url.startswith("cpp-static:") for url in asked)
    text = page_texts_joined(documents[0])
    assert HOSTILE_TITLE in text
    assert '<img src="file:///etc/passwd">' in text.replace(HOSTILE_TITLE, "")


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get("/cabinet/profile.pdf")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_summary_counts_only_completed_hours_and_marks_confirmations(make_user, database):
    user, catalogue = typical_profile(database, make_user)
    summary = profile_summary(user, now=datetime(2026, 1, 31, 18, 30))  # 01:30 on 1 February in Krasnoyarsk
    assert summary.issued_on == "01.02.2026"
    assert summary.total_hours == catalogue[0].hours + 36
    assert [line.name for line in summary.platforms][:2] == ["Сферум", "VK Мессенджер"]
    assert [line.confirmed for line in summary.platforms][:4] == [True, False, True, False]
    assert summary.platforms[-1].status == "не зарегистрирован" and summary.platforms[-1].since is None
    assert [course.status for course in summary.courses] == ["завершён", "завершён", "обучается", "подана заявка"]
    assert [course.verified for course in summary.courses] == [True, False, False, False]


@pytest.mark.parametrize(
    "years, text",
    [(0, "0 лет"), (1, "1 год"), (2, "2 года"), (5, "5 лет"), (11, "11 лет"), (14, "14 лет"), (21, "21 год"),
     (22, "22 года"), (111, "111 лет")],
)
def test_years_in_russian(years, text):
    assert years_text(years) == text
