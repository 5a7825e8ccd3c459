import pytest
from sqlalchemy import func, select

from cpp_app.config import load_config
from cpp_app.models import ConsentDocument, Municipality, Organization, Role, User


def count(database, model):
    return database.session.scalar(select(func.count(model.id)))


def test_seed_with_demo_is_idempotent(app, database):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed", "--demo"])
    assert first.exit_code == 0, first.output
    totals = [count(database, model) for model in (Municipality, Organization, User, ConsentDocument)]
    second = runner.invoke(args=["seed", "--demo"])
    assert second.exit_code == 0, second.output
    assert [count(database, model) for model in (Municipality, Organization, User, ConsentDocument)] == totals
    # A believable region: a few thousand generated teachers spread over the registry.
    generated = database.session.scalar(select(func.count(User.id)).where(User.email.like("demo-region%")))
    assert generated >= 3000
    assert database.session.scalar(
        select(func.count(func.distinct(User.organization_id))).where(User.email.like("demo-region%"))
    ) > 100
    roles = set(database.session.scalars(select(User.role)))
    assert roles == set(Role)
    assert totals[1] >= 65 + 40
    # Organisations named in the source document are there, with their identifiers.
    voznesenskaya = database.session.scalar(select(Organization).where(Organization.inn == "2404009370"))
    assert voznesenskaya is not None and voznesenskaya.municipality.name == "Березовский муниципальный район"
    assert database.session.scalar(select(func.count(Organization.id)).where(Organization.head_id.is_not(None))) >= 3


def test_demo_data_refused_in_production(app, database, monkeypatch):
    monkeypatch.setitem(app.config, "ENV_NAME", "production")
    result = app.test_cli_runner().invoke(args=["seed", "--demo"])
    assert result.exit_code == 1
    assert "Ошибка: Демо-данные нельзя загружать" in result.output
    assert count(database, User) == 0


def test_publish_consent_creates_a_new_version(app, database, tmp_path):
    path = tmp_path / "v2.md"
    path.write_text("# Согласие на обработку персональных данных\n\nРедакция 2.\n", encoding="utf-8")
    runner = app.test_cli_runner()
    seeded = count(database, ConsentDocument)
    result = runner.invoke(args=["publish-consent", str(path)])
    assert result.exit_code == 0 and f"Опубликована редакция {seeded + 1}" in result.output
    again = runner.invoke(args=["publish-consent", str(path)])
    assert again.exit_code == 1 and "Текст не изменился" in again.output
    assert count(database, ConsentDocument) == seeded + 1


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.delenv("CPP_SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="CPP_SECRET_KEY"):
        load_config("production")
    monkeypatch.setenv("CPP_SECRET_KEY", "x" * 40)
    monkeypatch.setenv("CPP_PUBLIC_URL", "https://cpp.example.ru")
    settings = load_config("production")
    assert settings["SESSION_COOKIE_SECURE"] and settings["REMEMBER_COOKIE_SECURE"]
    assert settings["SESSION_COOKIE_HTTPONLY"] and settings["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert settings["WTF_CSRF_TIME_LIMIT"] is None


def test_development_secret_key_is_generated_once_outside_the_repository(monkeypatch, tmp_path):
    import cpp_app.config as config

    monkeypatch.delenv("CPP_SECRET_KEY", raising=False)
    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path)
    first = load_config("development")["SECRET_KEY"]
    assert load_config("development")["SECRET_KEY"] == first and len(first) > 40
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_a_new_consent_edition_in_the_seeds_asks_everyone_again(app, database, make_user):
    from sqlalchemy import delete

    from cpp_app.blueprints.privacy.services import ConsentSituation, consent_situation, current_document
    from cpp_app.seeding import seed_reference_data

    # A deployment seeded before the self-assessment: only the first edition, consented to.
    database.session.execute(delete(ConsentDocument).where(ConsentDocument.version > 1))
    teacher = make_user(email="consented-v1@example.org")
    database.session.commit()
    assert consent_situation(teacher.id) == ConsentSituation.CURRENT

    assert seed_reference_data()["consent_documents"] == 1
    assert seed_reference_data()["consent_documents"] == 0  # idempotent
    assert consent_situation(teacher.id) == ConsentSituation.OUTDATED
    # The edition covers the self-assessment's purposes: the route, the research, what the school sees.
    body = current_document().body
    for phrase in ("самооценка моей цифровой готовности", "индивидуальный образовательный маршрут",
                   "исследование цифровой готовности", "обезличенном наборе данных", "если ответивших не меньше пяти",
                   "только если я сам открою к нему доступ"):
        assert phrase in body
