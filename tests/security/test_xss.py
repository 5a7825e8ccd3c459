"""XSS probes in every text a user can fill: stored as typed, shown escaped in every page, as text in the PDFs,
as plain strings (no formula, no hyperlink) in the XLSX exports, and never as a javascript: link.

The probe is written straight into every user-fillable column (PROBED_COLUMNS) of every row, then every GET route
is opened as each role; a test over the form classes makes sure every text field maps to a probed column, so a new
field or column cannot be forgotten. A second test types the probe into the real forms to show it is stored as is."""
import html
import io
import re
from datetime import timedelta

import pytest
from flask_wtf import FlaskForm
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import String, Text, cast, literal, select, update
from wtforms import Form, StringField, TextAreaField

from cpp_app.extensions import db
from cpp_app.kernel.clock import local_today
from cpp_app.models import CourseRecord, StaffRegisterEntry, User
from tests.security.test_headers import JAVASCRIPT_URL
from tests.security.world import build_world, concrete_path, csrf_token, id_factories, int_arguments, switch_user

SCRIPT = "<script>alert(1)</script>"
BREAKOUT = '"><img src=x onerror=alert(1)>'
JS_URL = "javascript:alert(1)"
# Starts with «=»: the exports must not turn it into a formula or a link either.
PROBE = f'=HYPERLINK("https://evil.example","x"){SCRIPT}{BREAKOUT}'
SHORT_PROBE = SCRIPT
ID_DIGITS = 7

# Every column a user (or an imported file) can fill with free text; URL columns get the javascript: probe.
PROBED_COLUMNS = {
    "users": ("last_name", "first_name", "middle_name", "settlement", "workplace_text", "position", "subjects",
              "qualification_category", "block_reason"),
    "organizations": ("full_name", "short_name", "address"),
    "municipalities": ("name",),
    "courses": ("title", "provider", "topic", "description"),
    "course_records": ("external_title", "external_provider", "certificate_number"),
    "measures": ("text", "responsible_role", "duration", "expected_result"),
    "methodology_versions": ("title",),
    "platform_accounts": ("profile_url",),
    "platform_account_events": ("note",),
    "staff_register_entries": ("full_name", "position"),
    "diagnostic_answers": ("comment", "evidence_url", "reviewer_comment"),
    "diagnostic_events": ("note",),
    "development_programs": ("goal", "tasks", "causes", "decisions", "mechanisms", "founder_name", "founder_position",
                             "founder_signatory", "teachers_council_protocol", "governing_council_protocol", "licence",
                             "accreditation", "programs_offered", "contacts", "strengths", "weaknesses",
                             "opportunities", "risks", "mission", "resources", "monitoring"),
    "program_stages": ("title",),
    "program_actions": ("text", "responsible_name", "responsible_position", "expected_result"),
    "program_action_events": ("note",),
    "privacy_requests": ("body", "response"),
    "auth_sessions": ("user_agent",),
    "consent_events": ("user_agent",),
    "learning_route_areas": ("goal",),
    "learning_route_items": ("title",),
    "assessment_campaigns": ("title",),
}
URL_COLUMNS = {"profile_url", "evidence_url"}

# Form fields whose name is not the column they fill; every other text field must be named after a probed column.
FIELD_COLUMNS = {
    "workplace": "users.workplace_text",
    "title": "course_records.external_title",
    "provider": "course_records.external_provider",
    "note": "diagnostic_events.note",
    "comment": "diagnostic_answers.comment",
    "reviewer_comment": "diagnostic_answers.reviewer_comment",
    "response": "privacy_requests.response",
    "reason": "users.block_reason",
}
# Text fields that store nothing shown back as stored text: searches and filters (reflected: probed through
# the query string below), credentials, e-mail and phone (validated formats), tokens.
NOT_STORED = {"q", "query", "search", "email", "new_email", "phone", "password", "current_password", "code",
              "token", "next", "csrf_token", "topic", "inn", "organization_inn"}  # INNs pick a registry entry


def probe_for(column) -> str | None:
    if column.name in URL_COLUMNS:
        return JS_URL
    length = (getattr(column.type, "length", None) or 10_000) - ID_DIGITS
    if length >= len(PROBE):
        return PROBE
    return SHORT_PROBE if length >= len(SHORT_PROBE) else None


def fill_every_column_with_the_probe(database) -> None:
    for table in database.metadata.sorted_tables:
        for name in PROBED_COLUMNS.get(table.name, ()):
            column = table.c[name]
            assert isinstance(column.type, (String, Text)), f"{table.name}.{name} is not text"
            # The row id after the probe keeps unique columns (municipality names) unique.
            key = table.c.id if "id" in table.c else table.c.route_id  # route areas are keyed by (route, area)
            database.session.execute(update(table).values({name: literal(probe_for(column)) + cast(key, String)}))
    database.session.commit()


def probed_column_names() -> set[str]:
    return {f"{table}.{column}" for table, columns in PROBED_COLUMNS.items() for column in columns}


def form_classes():
    seen, pending = set(), [FlaskForm, Form]
    while pending:
        for subclass in pending.pop().__subclasses__():
            if subclass not in seen:
                seen.add(subclass)
                pending.append(subclass)
    return [cls for cls in seen if cls.__module__.startswith("cpp_app.")]


def test_every_text_field_of_every_form_is_probed(app):  # the app imports every form module
    probed = probed_column_names()
    by_name = {column.split(".")[1]: column for column in probed}
    unknown = []
    for cls in form_classes():
        for name in dir(cls):
            field = getattr(cls, name, None)
            field_class = getattr(field, "field_class", None)
            if field_class is None or not issubclass(field_class, (StringField, TextAreaField)):
                continue
            if name in NOT_STORED or field_class.__name__ in ("PasswordField", "EmailField", "HiddenField"):
                continue
            column = FIELD_COLUMNS.get(name) or by_name.get(name)
            if column not in probed:
                unknown.append(f"{cls.__module__}.{cls.__name__}.{name}")
    assert len(form_classes()) >= 15
    assert not unknown, f"text fields without an XSS probe: add their column to PROBED_COLUMNS: {unknown}"


def test_every_user_text_column_is_probed(app):
    """A new free-text column must be probed or named here as not user-fillable."""
    not_user_text = {
        "consent_documents": "published by the operator with `flask publish-consent`",
        "platforms": "reference data from seeds/",
        "monitoring_thresholds": "reference data from seeds/",
        "monitoring_snapshots": "computed", "monitoring_area_figures": "computed by the rebuild",
        "form_stashes": "server-side keys", "login_throttles": "server-side keys",
        "audit_events": "codes and addresses", "rendered_documents": "generated names",
        "destruction_records": "written by the purge job", "diagnostics": "codes", "login_codes": "hashes",
        "self_assessments": "a status code and JSON scores checked against the instrument",
        "background_jobs": "job keys and the job runner's error messages, shown autoescaped to admins only",
    }
    codes = {"email", "pending_email", "phone", "password_hash", "token_hash", "code_hash", "sha256", "document_sha256", "inn", "ogrn", "kpp",
             "oktmo", "oktmo_prefix", "ip", "indicator_code", "methodology_code", "code", "certificate_file",
             "certificate_mime", "scope", "kind", "search_name",  # search_name: the names' words, never shown
             "subject",  # subject: school | teacher, validated by the methodology parser
             "area_code", "item_code", "platform_code", "step"}  # instrument and platform codes, set by the service
    missing = []
    for table in db.metadata.sorted_tables:
        if table.name in not_user_text:
            continue
        for column in table.columns:
            if isinstance(column.type, (String, Text)) and not hasattr(column.type, "enums") and column.name not in codes \
                    and column.name not in PROBED_COLUMNS.get(table.name, ()):
                missing.append(f"{table.name}.{column.name}")
    assert not missing, f"free-text columns without an XSS probe: {missing}"


# ------------------------------------------------------------------------------------------------- the crawl

RAW = (SCRIPT, "<img src=x onerror")
UPLOADED_FILES = {"cabinet.course_certificate"}  # sent back as uploaded (as attachments), not rendered by us
# Workbooks of figures under platform and indicator names (reference data, not probed): no stored text to find;
# the course demand by municipality lists only courses in some route, and the probed world has no routes.
FIGURES_ONLY = {"monitoring.export_region_platforms", "monitoring.export_municipality_platforms",
                "monitoring.export_deficits", "research.export_response_kinds", "research.export_area_levels",
                "research.export_item_scores", "research.export_platform_ratings", "research.export_codebook",
                "research.export_course_demand_municipalities"}
REFLECTED_ARGS = {name: PROBE for name in ("q", "query", "topic", "status", "sort", "order", "municipality", "state",
                                           "platform", "platform_status", "page", "next", "section", "revision")}


def raw_probe(page: str) -> str | None:
    for needle in RAW:
        if needle in page:
            index = page.index(needle)
            return page[max(index - 80, 0):index + 80]
    if match := JAVASCRIPT_URL.search(page):
        return page[max(match.start() - 80, 0):match.end() + 80]
    return None


def pdf_text(data: bytes) -> str:
    return "".join("".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages)


# Workbooks of fixed content (the register template): no stored text to show, but no formula either.
FIXED_WORKBOOKS = {"school.import_template"}


def xlsx_problems(data: bytes) -> tuple[list[str], bool]:
    workbook = load_workbook(io.BytesIO(data))
    problems, shown = [], False
    for sheet in workbook.worksheets:
        if sheet._hyperlinks:
            problems.append(f"{sheet.title}: hyperlinks")
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    problems.append(f"{cell.coordinate}: formula {cell.value!r}")
                elif isinstance(cell.value, str) and SCRIPT in cell.value:
                    shown = True
    return problems, shown


def crawl_paths(app, factories):
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in ("static", "auth.logout"):
            continue
        values = {name: factories[name]() for name in int_arguments(rule)}
        formats = ("xlsx", "csv") if "fmt" in rule.arguments else (None,)
        for fmt in formats:
            yield rule, concrete_path(rule, {**values, **({"fmt": fmt} if fmt else {})})


@pytest.fixture
def probed_world(database, make_user, app, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    world = build_world(database, make_user)
    database.session.add(StaffRegisterEntry(organization_id=world.school_a.id, line=2, full_name="Не Зарегистрирован",
                                            position="учитель"))
    database.session.commit()
    fill_every_column_with_the_probe(database)
    return world


def test_stored_probes_are_escaped_in_pages_and_text_in_pdf_and_xlsx(app, client, login, database, probed_world):
    factories = id_factories(probed_world, database)
    failures, escaped_pages, pdfs, workbooks = [], 0, 0, 0
    for user in ("teacher_a", "director_a", "methodologist", "admin"):
        switch_user(client, login, getattr(probed_world, user))
        for rule, path in crawl_paths(app, factories):
            for query in ({}, REFLECTED_ARGS):
                response = client.get(path, query_string=query)
                where = f"{user} GET {path}{' with probes in the query' if query else ''}: {response.status_code}"
                if response.status_code >= 500:
                    failures.append(where)
                elif response.mimetype == "text/html":
                    page = response.get_data(as_text=True)
                    if snippet := raw_probe(page):
                        failures.append(f"{where}: {snippet!r}")
                    escaped_pages += html.escape(SCRIPT, quote=False) in page
                elif response.mimetype == "application/pdf" and not query and rule.endpoint not in UPLOADED_FILES:
                    pdfs += 1
                    if "<script>alert(1)</script>" not in pdf_text(response.data):
                        failures.append(f"{where}: the probe is not in the PDF as text")
                elif response.mimetype.endswith("spreadsheetml.sheet") and not query:
                    workbooks += 1
                    problems, shown = xlsx_problems(response.data)
                    failures += [f"{where}: {problem}" for problem in problems]
                    if not shown and rule.endpoint not in FIXED_WORKBOOKS | FIGURES_ONLY:
                        failures.append(f"{where}: the probe is not in the workbook")
                elif response.mimetype == "text/csv" and not query:
                    for line in response.get_data(as_text=True).splitlines():
                        if any(cell.startswith("=") for cell in line.split(";")):
                            failures.append(f"{where}: formula-like cell in {line!r}")
    assert not failures, failures
    assert escaped_pages >= 20 and pdfs >= 3 and workbooks >= 3, (escaped_pages, pdfs, workbooks)


def test_probes_typed_into_the_forms_are_stored_as_typed(app, client, login, database, make_user, tmp_path,
                                                         monkeypatch):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    teacher = make_user()
    login(teacher)
    profile = {"last_name": PROBE[:100], "first_name": SCRIPT, "middle_name": BREAKOUT, "phone": "+79123456789",
               "settlement": PROBE, "workplace": PROBE, "workplace_asked": PROBE, "workplace_choice": "none",
               "position": "", "subjects": PROBE,
               "qualification_category": "", "experience_years": "", "csrf_token": csrf_token(client)}
    response = client.post("/cabinet/profile", data=profile)
    assert response.status_code == 302, re.findall(r'class="[^"]*error[^"]*"[^>]*>([^<]+)', response.get_data(as_text=True))
    course = {"title": PROBE, "provider": BREAKOUT, "hours": "16", "certificate_number": SCRIPT,
              "completed_on": (local_today() - timedelta(days=2)).isoformat(), "csrf_token": csrf_token(client)}
    assert client.post("/cabinet/courses/external/new", data=course).status_code == 302
    database.session.expire_all()
    stored = database.session.get(User, teacher.id)
    record = database.session.scalar(select(CourseRecord).where(CourseRecord.user_id == teacher.id))
    assert (stored.first_name, stored.middle_name, stored.settlement) == (SCRIPT, BREAKOUT, PROBE)
    assert (record.external_title, record.external_provider, record.certificate_number) == (PROBE, BREAKOUT, SCRIPT)
    for path in ("/cabinet/", "/cabinet/profile", "/cabinet/courses", f"/cabinet/courses/{record.id}/edit"):
        page = client.get(path).get_data(as_text=True)
        assert raw_probe(page) is None, (path, raw_probe(page))
        assert re.search(r"&lt;script&gt;alert\(1\)&lt;/script&gt;", page), path
