from sqlalchemy import select

from cpp_app.models import ConsentEvent, PrivacyRequest
from tests.conftest import TEST_PASSWORD, extract_csrf


def test_privacy_policy_and_consent_published(client):
    policy = client.get("/privacy/")
    assert policy.status_code == 200 and "Политика" in policy.get_data(as_text=True)
    consent = client.get("/privacy/consent").get_data(as_text=True)
    assert "Согласие на обработку персональных данных" in consent
    for element in ("Красноярский краевой институт", "пр. Мира, 76", "отозвать"):
        assert element.lower() in consent.lower(), element
    assert client.get("/privacy/consent/1").status_code == 200
    assert client.get("/privacy/consent/99").status_code == 404


def test_new_document_version_asks_everyone_again(client, make_user, login, database):
    from cpp_app.blueprints.privacy.services import publish_document

    user = make_user()
    login(user)
    assert client.get("/", follow_redirects=True).status_code == 200
    edition = publish_document("Согласие, новая редакция", "# Согласие, новая редакция\n\nОбновлённый текст.")
    database.session.commit()
    response = client.get("/cabinet/")
    assert response.status_code == 302 and "/privacy/consent/renew" in response.headers["Location"]
    page = client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert "Обновлённый текст." in html and "Опубликована новая редакция" in html
    response = client.post(
        "/privacy/consent/renew?next=/", data={"csrf_token": extract_csrf(page), "document_version": str(edition.version)}
    )
    assert "подтвердите согласие" in response.get_data(as_text=True)
    response = client.post(
        "/privacy/consent/renew?next=/", data={"csrf_token": extract_csrf(page), "document_version": str(edition.version),
                                                "consent": "y"}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/", follow_redirects=True).status_code == 200
    versions = [e.document.version for e in database.session.scalars(select(ConsentEvent).where(ConsentEvent.user_id == user.id))]
    assert versions == [edition.version - 1, edition.version]


def test_an_account_made_by_an_operator_is_asked_to_consent_not_told_of_a_new_edition(client, make_user, login):
    user = make_user(consent=False)
    login(user)
    html = client.get("/privacy/consent/renew").get_data(as_text=True)
    assert "<title>Подтвердите согласие" in html and "создал администратор" in html
    assert "Опубликована новая редакция" not in html
    assert "Даю согласие на обработку персональных данных" in html and 'href="/privacy/"' in html


def test_someone_declining_a_new_version_can_still_take_their_data_and_withdraw(client, make_user, login, database):
    from cpp_app.blueprints.privacy.services import publish_document
    from cpp_app.models import User

    user = make_user()
    login(user)
    publish_document("Согласие, редакция 2", "# Согласие, редакция 2\n\nОбновлённый текст.")
    database.session.commit()
    renew = client.get("/privacy/consent/renew").get_data(as_text=True)
    assert 'href="/cabinet/data/withdraw"' in renew and 'href="/cabinet/data"' in renew
    assert client.get("/cabinet/").status_code == 302  # everything else still waits for the decision
    assert client.get("/cabinet/data.json").status_code == 200
    data_page = client.get("/cabinet/data")
    response = client.post("/cabinet/data/requests", data={"csrf_token": extract_csrf(data_page), "kind": "access",
                                                           "text": "Какие данные обо мне обрабатываются?"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/cabinet/data")
    request = database.session.scalar(select(PrivacyRequest).where(PrivacyRequest.user_id == user.id))
    assert request.body == "Какие данные обо мне обрабатываются?"
    assert client.get(f"/cabinet/data/requests/{request.id}").status_code == 200
    page = client.get("/cabinet/data/withdraw")
    assert page.status_code == 200
    response = client.post("/cabinet/data/withdraw", data={"csrf_token": extract_csrf(page), "password": TEST_PASSWORD})
    assert response.status_code == 302
    database.session.expire_all()
    assert database.session.get(User, user.id).consent_withdrawn_at is not None


def test_consent_events_are_append_only(make_user, database):
    import pytest

    from cpp_app.models import AppendOnlyError

    user = make_user()
    event = database.session.scalar(select(ConsentEvent).where(ConsentEvent.user_id == user.id))
    event.ip = "10.0.0.1"
    with pytest.raises(AppendOnlyError):
        database.session.commit()
    database.session.rollback()
    database.session.delete(database.session.merge(event))
    with pytest.raises(AppendOnlyError):
        database.session.flush()
    database.session.rollback()


def test_error_pages_are_russian(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404 and "Страница не найдена" in response.get_data(as_text=True)
    response = client.post("/privacy/")
    assert response.status_code == 405 and "Метод не поддерживается" in response.get_data(as_text=True)


def test_security_headers_and_no_outside_resources(client):
    response = client.get("/register")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    html = response.get_data(as_text=True)
    assert "http://" not in html.replace("http://localhost", "") and "https://" not in html
    assert "<script>" not in html and " style=" not in html


def test_personal_pages_are_not_cached(client, make_user, login):
    login(make_user())
    assert client.get("/", follow_redirects=True).headers["Cache-Control"] == "no-store"


def test_server_error_page_is_russian_and_rolls_back(app, client, database):
    from cpp_app.models import Municipality

    def broken_view():
        database.session.add(Municipality(name="Не должен сохраниться"))
        database.session.flush()
        raise RuntimeError("boom")

    original = app.view_functions["main.index"]
    app.view_functions["main.index"] = broken_view
    app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        response = client.get("/")
    finally:
        app.view_functions["main.index"] = original
        app.config["PROPAGATE_EXCEPTIONS"] = None
    assert response.status_code == 500
    assert "Внутренняя ошибка сервера" in response.get_data(as_text=True)
    assert database.session.scalar(select(Municipality).where(Municipality.name == "Не должен сохраниться")) is None


def test_forbidden_and_bad_request_pages(app):
    from cpp_app.errors import render_error

    with app.test_request_context("/"):
        for code, title in ((400, "Некорректный запрос"), (403, "Доступ запрещён")):
            html, status = render_error(code)
            assert status == code and title in html
