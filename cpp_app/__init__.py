"""ЦПП — «Цифровой профиль педагога»: the application factory."""
import pkgutil
from importlib import import_module
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from .config import INSTANCE_DIR, load_config
from .converters import IdConverter
from .extensions import csrf, db, limiter, login_manager, migrate
from .logging_setup import configure_logging


def create_app(config: dict | str | None = None) -> Flask:
    app = Flask(__name__, instance_path=str(INSTANCE_DIR))
    settings = config if isinstance(config, dict) else load_config(config)
    app.config.update(settings)
    if app.config["ENV_NAME"] == "production":
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)
    # First, so that its after_request hook runs last and logs the final status.
    configure_logging(app)

    _init_extensions(app)
    # Before the routes: every `<int:…>` is an id, and one beyond the database's integer range is a 404.
    app.url_map.converters["int"] = IdConverter
    _register_blueprints(app)

    from .cli import register_cli
    from .errors import register_error_handlers

    register_error_handlers(app)
    register_cli(app)
    _register_template_helpers(app)
    return app


def _init_extensions(app: Flask) -> None:
    from . import models  # noqa: F401  (every model on the metadata before Alembic looks)
    from .blueprints.privacy.gate import consent_gate
    from .kernel.transaction import commit_or_roll_back
    from .security import refuse_nul_bytes, set_security_headers

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Войдите, чтобы открыть эту страницу."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    from .blueprints.auth.sessions import load_session_user, login_prompt

    login_manager.user_loader(load_session_user)
    # On the way to /login, the generic prompt gives way to why the session just ended.
    login_manager.localize_callback = login_prompt
    app.before_request(refuse_nul_bytes)
    app.before_request(consent_gate)
    app.after_request(set_security_headers)
    app.after_request(commit_or_roll_back)  # registered last, so it runs first


BLUEPRINTS = (
    "main", "auth", "privacy", "organizations", "cabinet", "school", "diagnostics", "review", "programs", "monitoring",
    "admin", "methodology", "courses", "start", "selfassessment", "campaigns", "research",
)


def _register_blueprints(app: Flask) -> None:
    """Each package's `bp`, after the routes of every package's view modules (`views.py`, `views_<topic>.py`) are
    in place and its background jobs (`jobs.py`) registered: they are imported here, so no package imports its own views back, and a domain package may add
    pages to an audience's blueprint (the methodologies' pages live under /admin)."""
    packages = [import_module(f"{__name__}.blueprints.{name}") for name in BLUEPRINTS]
    for package in packages:
        for module in pkgutil.iter_modules(package.__path__):
            if module.name in ("views", "jobs") or module.name.startswith("views_"):
                import_module(f"{package.__name__}.{module.name}")
    for package in packages:
        app.register_blueprint(package.bp)


def _register_template_helpers(app: Flask) -> None:
    from .domain.monitoring import banded_percent
    from .domain.phone import format_phone
    from .formatting import local_date, local_datetime, thousands
    from .kernel.forms import EmptyForm, error_items
    from .kernel.plural import genitive, plural
    from .models import Role

    app.jinja_env.filters["phone"] = format_phone
    app.jinja_env.filters["plural"] = plural
    app.jinja_env.filters["genitive"] = genitive
    app.jinja_env.filters["local_date"] = local_date
    app.jinja_env.filters["banded_percent"] = banded_percent
    app.jinja_env.filters["local_datetime"] = local_datetime
    app.jinja_env.filters["thousands"] = thousands
    app.jinja_env.filters["error_items"] = error_items

    @app.context_processor
    def inject_globals():
        return {
            "Role": Role,
            # No form data: the layout must render even when the request body was refused (413).
            "csrf_form": lambda: EmptyForm(formdata=None),
        }
