"""A submitted self-diagnostic is returned with a comment, fixed and resubmitted, then accepted — in a real browser."""
import re
from datetime import date

from playwright.sync_api import expect
from sqlalchemy import select

from cpp_app.blueprints.diagnostics.services import AnswerInput, GeneralFacts, save_answers, set_counts, start, submit
from cpp_app.blueprints.methodology.services_versions import methodology_of
from cpp_app.kernel.actor import Actor
from cpp_app.models import Organization, OrganizationKind, Role, utcnow
from tests.e2e.test_diagnostic_fill import indicator, sign_in


def submitted_diagnostic(database, admin, school):
    actor = Actor(admin.id, None, None)
    diagnostic = start(school, actor, date.today())
    set_counts(diagnostic, GeneralFacts(20, 250))
    answers = {item.code: AnswerInput(score=item.max_score) for item in methodology_of(diagnostic).indicators}
    save_answers(diagnostic, answers, actor)
    submit(diagnostic, actor, "school_admin")
    database.session.commit()
    return diagnostic


def test_return_with_comment_resubmit_accept(page, make_user, database):
    school = database.session.scalars(
        select(Organization).where(Organization.kind == OrganizationKind.SCHOOL).order_by(Organization.id)
    ).first()
    director = make_user(role=Role.SCHOOL_ADMIN, email="director@school.example", organization=school,
                         confirmed_at=utcnow())
    make_user(role=Role.METHODOLOGIST, email="methodist@kipk.example")
    diagnostic = submitted_diagnostic(database, director, school)

    # The methodologist returns it with a comment on one indicator.
    sign_in(page, "methodist@kipk.example")
    page.get_by_role("link", name="Проверка самодиагностик").click()
    page.get_by_role("link", name=f"Проверить самодиагностику: {school.short_name}").click()
    page.get_by_label(re.compile("Комментарий методиста к показателю «Платформа «Сферум»»")).fill(
        "Приложите скриншот сообществ педагогов в Сферуме."
    )
    page.get_by_label("Комментарий к решению").fill("Подтвердите уровень по Сферуму.")
    page.get_by_role("button", name="Вернуть на доработку").click()
    expect(page.get_by_text(re.compile("возвращена на доработку")).first).to_be_visible()
    page.get_by_role("button", name="Выйти").click()

    # The school sees the outcome on its next visit, fixes the answer and resubmits.
    sign_in(page, "director@school.example")
    expect(page.get_by_text(re.compile("Методист КК ИПК вернул самодиагностику"))).to_be_visible()
    page.goto(f"/diagnostics/{diagnostic.id}?section=cos")
    expect(page.get_by_text("Приложите скриншот сообществ педагогов в Сферуме.")).to_be_visible()
    sferum = indicator(page, "Информационно-коммуникационная образовательная платформа «Сферум»")
    sferum.get_by_label(re.compile("^2 балла")).check()
    page.get_by_role("button", name="Сохранить", exact=True).click()
    page.goto(f"/diagnostics/{diagnostic.id}/check")
    page.get_by_role("button", name="Отправить на проверку").click()
    expect(page.get_by_text("на проверке").first).to_be_visible()
    page.get_by_role("button", name="Выйти").click()

    # The methodologist accepts it; the school sees «принята».
    sign_in(page, "methodist@kipk.example")
    page.goto(f"/review/{diagnostic.id}")
    page.get_by_role("button", name="Принять").click()
    expect(page.get_by_text("принята").first).to_be_visible()
    page.get_by_role("button", name="Выйти").click()
    sign_in(page, "director@school.example")
    page.goto(f"/diagnostics/{diagnostic.id}/result")
    expect(page.get_by_text("принята").first).to_be_visible()
    expect(page.get_by_role("heading", name="История")).to_be_visible()
