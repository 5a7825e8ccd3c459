from sqlalchemy import func, select

from cpp_app.models import Diagnostic, DiagnosticAnswer, Organization, PlatformAccount, User


def count(database, model):
    return database.session.scalar(select(func.count(model.id)))


def test_seed_scale_adds_what_it_says(app, database):
    before = [count(database, model) for model in (Organization, User, Diagnostic)]
    result = app.test_cli_runner().invoke(args=["seed-scale", "--orgs", "60", "--teachers", "300", "--diagnostics", "20"])
    assert result.exit_code == 0, result.output
    assert "organizations: +60" in result.output and "teachers: +300" in result.output
    assert [count(database, model) for model in (Organization, User, Diagnostic)] == [
        before[0] + 60, before[1] + 300, before[2] + 20
    ]
    assert count(database, PlatformAccount) >= 300
    assert count(database, DiagnosticAnswer) == 20 * 13
    # Every synthetic teacher works somewhere; no account is left without its teacher.
    assert database.session.scalar(
        select(func.count(User.id)).where(User.email.like("scale%"), User.organization_id.is_(None))
    ) == 0


def test_seed_scale_refused_in_production(app, database, monkeypatch):
    monkeypatch.setitem(app.config, "ENV_NAME", "production")
    result = app.test_cli_runner().invoke(args=["seed-scale", "--orgs", "5"])
    assert result.exit_code == 1 and "нельзя загружать" in result.output
