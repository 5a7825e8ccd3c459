"""Bench: the development program's PDF for a large program (20 deficits, 60 road-map actions).

On a throw-away SQLite database, in one run, it measures
  (a) rendering that program's PDF (template + WeasyPrint), median of several renders;
  (b) WeasyPrint rendering a bare document of the same page count (same fonts and base stylesheet,
      plain paragraphs): what the layout of that many pages costs anyway; (a) and (b) alternate, each timed in
      wall and in CPU time (the other helpers of a shared machine inflate wall time, not CPU time);
  (c) the cached download: GET /programs/<id>.pdf through the test client once the stored copy exists;
and prints the times, a/b, c/a and the page count. The download is what a person gets since documents are rendered
by a background job: the first request queues the rendering («Документ готовится…»; without Redis the job runs
right after it), the refresh gets the stored copy.

    .venv/bin/python bench/program_pdf.py [--json FILE]
    .venv/bin/python bench/program_pdf.py --smoke          # a small program, seconds: what `make test` runs

Not part of the test suite; finishes well under two minutes.
"""
import io
import logging
import re
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _support import PASSWORD, arguments, chosen_scales, fetch, report, result, sign_in  # noqa: E402

SCALES = {
    "smoke": {"indicators": 12, "actions": 1, "repeats": 1, "cached_repeats": 3},
    "large": {"indicators": 20, "actions": 3, "repeats": 5, "cached_repeats": 20},
}


def make_app(url: str, instance: Path):
    from cpp_app import create_app
    from cpp_app.config import TestingConfig

    settings = TestingConfig.load()
    settings.update(SQLALCHEMY_DATABASE_URI=url, MAIL_DIR=str(instance / "mail"), SERVER_NAME=None,
                    RATELIMIT_ENABLED=False)
    app = create_app(settings)
    app.instance_path = str(instance)
    return app


def synthetic_methodology(indicators: int) -> dict:
    """20 indicators scored 0–3, every fourth one critical, in two sections."""
    levels = [
        {"score": 0, "text": "не выполняется"},
        {"score": 1, "text": "выполняется частично, не во всех классах и не всеми педагогами"},
        {"score": 2, "text": "выполняется в полной мере не менее чем 50 % педагогических работников"},
        {"score": 3, "text": "выполняется в полной мере не менее чем 95 % педагогических работников, результаты "
                             "используются при планировании"},
    ]

    def indicator(number: int) -> dict:
        return {
            "code": f"bench.indicator_{number:02d}",
            "title": f"Показатель цифровой образовательной среды № {number}: использование цифровых сервисов "
                     "в образовательной деятельности и управлении образовательной организацией",
            "short_title": f"Цифровой сервис № {number}",
            "critical": number % 4 == 1,
            "levels": levels,
        }

    return {
        "code": "bench",
        "version": 1,
        "title": "Синтетическая методика для замера (20 показателей)",
        "year": "2025/2026",
        "applies_to": ["school"],
        "levels": {
            "thresholds": [
                {"code": "below_basic", "title": "ниже базового", "min_share": 0},
                {"code": "basic", "title": "базовый", "min_share": 0.5},
                {"code": "medium", "title": "средний", "min_share": 0.7},
                {"code": "high", "title": "высокий", "min_share": 0.85},
            ],
            "critical_cap": "below_basic",
        },
        "sections": [
            {"code": "bench_a", "title": "Ключевое условие «Образовательная среда» — часть 1", "scoring": "sum",
             "indicators": [indicator(n) for n in range(1, 11)]},
            {"code": "bench_b", "title": "Ключевое условие «Образовательная среда» — часть 2", "scoring": "sum",
             "indicators": [indicator(n) for n in range(11, indicators + 1)]},
        ],
    }


def seed(sizes: dict) -> tuple[int, str]:
    """The program (20 deficits, 60 actions) and its school admin's email."""
    from cpp_app.blueprints.methodology.services_versions import publish_methodology
    from cpp_app.blueprints.privacy.services import current_document, grant_consent
    from cpp_app.domain.methodology import parse_methodology
    from cpp_app.extensions import db
    from cpp_app.kernel.actor import Actor
    from cpp_app.models import (
        ActionStatus,
        DevelopmentProgram,
        Diagnostic,
        DiagnosticAnswer,
        DiagnosticStatus,
        Municipality,
        Organization,
        OrganizationKind,
        ProgramAction,
        Role,
        User,
    )
    from cpp_app.security import hash_password
    from cpp_app.seeding import seed_reference_data

    seed_reference_data()  # the consent document, platforms, the real methodology
    actor = Actor(None, None, "bench")
    version = publish_methodology(parse_methodology(synthetic_methodology(sizes["indicators"]), source="bench"), actor)
    municipality = Municipality(name="Бенчмарковский муниципальный округ")
    school = Organization(
        full_name="Муниципальное бюджетное общеобразовательное учреждение «Средняя общеобразовательная школа № 150 "
                  "имени Героя Советского Союза В. С. Молокова»",
        short_name="МБОУ СОШ № 150", kind=OrganizationKind.SCHOOL, municipality=municipality, inn="2465012345",
        address="660000, Красноярский край, г. Бенчмарковск, ул. Академика Киренского, д. 150",
    )
    scores = {f"bench.indicator_{n:02d}": n % 2 for n in range(1, sizes["indicators"] + 1)}  # every indicator a deficit
    diagnostic = Diagnostic(organization=school, methodology=version, school_year="2025/2026",
                            status=DiagnosticStatus.SUBMITTED, staff_count=86, student_count=1240)
    diagnostic.answers = [DiagnosticAnswer(indicator_code=code, score=value) for code, value in scores.items()]
    program = DevelopmentProgram(
        organization=school, diagnostic=diagnostic, period_start=2025, period_end=2029,
        goal="Достижение уровня «высокий» по критерию «ЦОС (поддержка всех активностей)» к 2029 году.",
        tasks="\n".join(f"Повысить показатель «Цифровой сервис № {n}» до 3 баллов." for n in range(1, sizes["indicators"] + 1)),
        causes="\n".join(f"{n}. Причина дефицита показателя № {n}: педагоги не обучены, нет ответственного, "
                         "мероприятия не включены в план работы." for n in range(1, sizes["indicators"] + 1)),
        decisions="\n".join(f"Управленческое решение № {n}: издать приказ, назначить ответственного, включить "
                            "мероприятия в план работы на учебный год." for n in range(1, 11)),
        mechanisms="\n".join(f"Механизм № {n}: ежегодная самодиагностика, мониторинг профилей педагогов, отчёт "
                             "на педагогическом совете." for n in range(1, 8)),
    )
    statuses = list(ActionStatus)
    order = 0
    for number, (code, current) in enumerate(scores.items()):
        for step in range(sizes["actions"]):
            to_score = min(3, current + 1 + step)
            program.actions.append(ProgramAction(
                indicator_code=code, from_score=current, to_score=to_score,
                text=f"Мероприятие {order + 1}: организовать обучение педагогов работе с цифровым сервисом № "
                     f"{number + 1}, провести методический семинар и открытые уроки с его использованием",
                responsible_name="Константинопольская Александра Владимировна",
                responsible_position="заместитель директора по учебно-воспитательной работе",
                due_date=date(2025 + order % 5, 1 + order % 12, 28),
                expected_result="Не менее 95 % педагогов используют сервис в образовательной деятельности; "
                                "результаты отражены в самодиагностике следующего года.",
                status=statuses[order % 3], sort_order=order,
            ))
            order += 1
    admin = User(email="director@bench.example", password_hash=hash_password(PASSWORD), last_name="Директорова",
                 first_name="Галина", phone="+79120000000", organization=school, role=Role.SCHOOL_ADMIN)
    db.session.add_all([program, admin])
    db.session.flush()
    grant_consent(admin, current_document(), actor)
    db.session.commit()
    return program.id, admin.email


def median_s(function, repeats: int) -> tuple[float, object]:
    times, value = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        value = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), value


def paired(program, bare, repeats: int) -> dict:
    """Median wall and CPU seconds of both renderings, alternated so that both meet the same load of the shared
    cores. A rendering is one thread of CPU work: its CPU time is its cost, the wall time adds waiting for a core."""
    times = {key: [] for key in ("program_wall", "program_cpu", "bare_wall", "bare_cpu")}
    data = None
    for _ in range(repeats):
        for name, function in (("program", program), ("bare", bare)):
            wall, cpu = time.perf_counter(), time.process_time()
            value = function()
            times[f"{name}_cpu"].append(time.process_time() - cpu)
            times[f"{name}_wall"].append(time.perf_counter() - wall)
            if name == "program":
                data = value
    return {key: statistics.median(values) for key, values in times.items()} | {"data": data}


def bare_html(paragraphs: int) -> str:
    text = ("Образовательная организация реализует программу развития цифровой образовательной среды: педагоги "
            "используют федеральные и региональные сервисы, результаты отражаются в ежегодной самодиагностике. ") * 3
    body = "".join(f"<p>{n}. {text}</p>" for n in range(paragraphs))
    return f'<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>Пустой документ</title></head><body>{body}</body></html>'


def bare_of_pages(pages: int) -> str:
    """Plain paragraphs laid out on exactly `pages` pages (found by bisection on the paragraph count)."""
    from cpp_app.pdf import render_document

    low, high = 1, 40 * pages
    while low < high:
        middle = (low + high) // 2
        if len(render_document(bare_html(middle)).pages) < pages:
            low = middle + 1
        else:
            high = middle
    return bare_html(low)


def embedded_fonts(data: bytes) -> list[str]:
    """The PDF's fonts; a subset carries a six-letter tag (ABCDEF+Name), so a full font embedded shows here."""
    from pypdf import PdfReader

    names = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"].get("/Font", {}).values():
            names.add(str(font.get_object()["/BaseFont"]).lstrip("/"))
    return sorted(names)


def run(scale: str) -> list[dict]:
    from flask_migrate import upgrade
    from pypdf import PdfReader

    sizes, repeats, cached_repeats = SCALES[scale], SCALES[scale]["repeats"], SCALES[scale]["cached_repeats"]
    logging.getLogger("alembic").setLevel(logging.WARNING)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as directory:
        instance = Path(directory)
        app = make_app(f"sqlite:///{instance / 'bench.sqlite3'}", instance)
        with app.app_context():
            from cpp_app import pdf
            from cpp_app.blueprints.programs.document import build_document
            from cpp_app.blueprints.programs.rendering import document_html, render_program_pdf
            from cpp_app.extensions import db
            from cpp_app.models import DevelopmentProgram

            upgrade()
            program_id, email = seed(sizes)
            program = db.session.get(DevelopmentProgram, program_id)
            doc = build_document(program)
            print(f"\n{scale}: program {program_id}: {doc['totals']['deficits']} deficits, "
                  f"{doc['totals']['actions']} actions.")

            with app.test_request_context():
                build_time, _ = median_s(lambda: build_document(program), repeats)
                render_program_pdf(doc)  # warm-up: fonts, templates, stylesheets
                layout_pages = len(pdf.render_document(document_html(doc), stylesheets=["program.css"]).pages)
                bare = bare_of_pages(layout_pages)
                bare_pages = len(pdf.render_document(bare).pages)
                figures = paired(lambda: render_program_pdf(doc), lambda: pdf.render_pdf(bare), repeats)
                data = figures["data"]
                pages = len(PdfReader(io.BytesIO(data)).pages)
                assert pages == layout_pages
                fonts = embedded_fonts(data)
                assert all(re.match(r"[A-Z]{6}\+", name) for name in fonts), f"fonts embedded whole: {fonts}"
            db.session.remove()

        client = app.test_client()
        sign_in(app, client, email)
        url = f"/programs/{program_id}.pdf"
        first_start = time.perf_counter()
        waiting = fetch(client, url)
        queued_time = time.perf_counter() - first_start
        assert "Refresh" in waiting.headers, "the first download must queue the rendering, not render"
        first = fetch(client, url)
        first_time = time.perf_counter() - first_start
        assert first.data.startswith(b"%PDF-")
        cached_time, cached = median_s(lambda: fetch(client, url), cached_repeats)
        assert cached.data == first.data, "the cached download differs"

    program_time, bare_time = figures["program_wall"], figures["bare_wall"]
    program_cpu, bare_cpu = figures["program_cpu"], figures["bare_cpu"]
    print(f"Pages: {pages} (bare document: {bare_pages}), PDF size {len(data) / 1024:.0f} KiB, "
          f"fonts: {', '.join(fonts)}.")
    print(f"Median of {repeats} renders of each, alternated (after one warm-up), wall / CPU time:")
    print(f"  build_document (queries + scoring)             {build_time * 1000:8.1f} ms")
    print(f"  (a) program PDF (template + WeasyPrint)        {program_time * 1000:8.1f} / {program_cpu * 1000:6.1f} ms"
          f"   {program_cpu * 1000 / pages:5.1f} CPU ms/page")
    print(f"  (b) bare document, same pages and fonts        {bare_time * 1000:8.1f} / {bare_cpu * 1000:6.1f} ms"
          f"   {bare_cpu * 1000 / bare_pages:5.1f} CPU ms/page")
    print(f"  first download: «готовится» answered in        {queued_time * 1000:8.1f} ms"
          f" (inline without Redis: the rendering runs before that answer leaves; with Redis it does not)")
    print(f"  first download: the file after the refresh     {first_time * 1000:8.1f} ms")
    print(f"  (c) cached download, median of {cached_repeats:<2}            {cached_time * 1000:8.1f} ms")
    print(f"  a/b = {program_time / bare_time:5.2f} wall, {program_cpu / bare_cpu:5.2f} CPU"
          "   (the program's layout against plain paragraphs)")
    print(f"  c/a = {cached_time / program_time:6.3f}  (a stored copy against a fresh rendering)")
    print(f"Total {time.perf_counter() - started:.1f} s.")
    return [result(f"program PDF render ({pages} pages)", scale, program_time * 1000, bare_time * 1000, None),
            result(f"program PDF render, CPU time ({pages} pages)", scale, program_cpu * 1000, bare_cpu * 1000, None),
            result(f"GET {url} (stored copy)", scale, cached_time * 1000, program_time * 1000, None)]


def main() -> None:
    options = arguments(__doc__, SCALES)
    report(options, [figure for scale in chosen_scales(options, SCALES) for figure in run(scale)])


if __name__ == "__main__":
    main()
