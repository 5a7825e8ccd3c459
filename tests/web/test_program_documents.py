"""A development program's downloads: GET /programs/<id>.pdf and /programs/<id>.docx (?revision=N)."""
import io
import re
from datetime import datetime
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from cpp_app import pdf
from cpp_app.blueprints.programs import rendering
from cpp_app.blueprints.programs.document import build_document, document_hash
from cpp_app.models import ProgramRevision, ProgramStatus, RenderedDocument, Role
from tests.factories import (
    PROGRAM_ACTIONS,
    download,
    pdf_page_texts,
    program_through_models,
    school_with_address,
    signed_in,
)

HOSTILE = '<img src="file:///etc/passwd"> <a rel="attachment" href="file:///etc/passwd">x</a>'


@pytest.fixture
def rendered(monkeypatch):
    """The WeasyPrint documents laid out, every URL their fetcher is asked for, and the DOCX renderings made."""
    documents, asked, docx_calls = [], [], []
    original_render, original_fetch = pdf.render_document, pdf.LocalAssetFetcher.fetch
    original_docx = rendering.render_program_docx

    def render_document(*args, **kwargs):
        document = original_render(*args, **kwargs)
        documents.append(document)
        return document

    def fetch(self, url, headers=None):
        asked.append(url)
        return original_fetch(self, url, headers)

    def render_docx(doc):
        docx_calls.append(doc)
        return original_docx(doc)

    monkeypatch.setattr(pdf, "render_document", render_document)
    monkeypatch.setattr(pdf.LocalAssetFetcher, "fetch", fetch)
    monkeypatch.setattr(rendering, "render_program_docx", render_docx)
    return documents, asked, docx_calls


@pytest.fixture
def school(database):
    made = school_with_address(database)
    database.session.commit()
    return made


@pytest.fixture
def director(make_user, school):
    return make_user(role=Role.SCHOOL_ADMIN, organization=school, last_name="Директорова")


def words(text: str) -> str:
    # A line may break after a hyphen (IT-|оборудование): the extracted text then has a space there.
    return re.sub(r"(?<=\w)- (?=\w)", "-", " ".join(text.split()))


def pdf_pages(data: bytes) -> list[str]:
    return [words(text) for text in pdf_page_texts(data)]


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [paragraph.text for paragraph in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return words(" ".join(parts))


def stored_rows(database, program):
    return database.session.scalars(
        select(RenderedDocument).where(RenderedDocument.program_id == program.id).order_by(RenderedDocument.id)
    ).all()


def stored_file(app, row) -> Path:
    return Path(app.instance_path) / "uploads" / "rendered" / row.file_name


def test_pdf_holds_the_program_with_contents_page_numbers_and_bookmarks(client, database, login, director, school,
                                                                         rendered):
    documents, _, _ = rendered
    program = program_through_models(database, school)
    login(director)

    response = download(client, f"/programs/{program.id}.pdf")

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == f'attachment; filename="programma-razvitiya-{program.id}-r1.pdf"'
    assert response.headers["Cache-Control"] == "no-store"
    pages = pdf_pages(response.data)
    text = " ".join(pages)
    assert school.full_name in text
    for action in PROGRAM_ACTIONS:
        assert action[3] in text, action[3]
    assert "Итоговый результат: 7 из 14 баллов (50 %), уровень «ниже базового»" in text
    assert "«ниже базового» (7 из 14 баллов, 50 %) → «высокий» (12 из 14 баллов, 86 %)" in text
    assert "УТВЕРЖДАЮ" in pages[0] and "Приказ №" in pages[0]
    assert "стр." not in pages[0]  # no page number on the title page
    assert f"стр. 2 из {len(pages)}" in pages[1]
    assert all(f"{school.short_name} · Программа развития на" in page for page in pages[1:])  # the footer line

    # The contents page names every section with the page it starts on.
    contents = pages[1]
    assert contents.startswith("Содержание")
    entries = dict(re.findall(r"(\d(?:\.\d)?\. [А-Яа-яё ,-]+?) ?\.{3,} ?(\d+)", contents))
    assert len(entries) == 17, entries
    for title in ("1. Паспорт программы", "3.1. Результаты самодиагностики", "5. Ожидаемые результаты",
                  "7. Этапы реализации программы", "8. Мониторинг и контроль реализации", "9. Дорожная карта"):
        page = int(entries[title])
        assert page > 2 and title in pages[page - 1], (title, page)

    reader = PdfReader(io.BytesIO(response.data))
    assert reader.metadata.title == build_document(program)["title"]
    outline = [item.title for item in reader.outline if not isinstance(item, list)]
    assert "1. Паспорт программы" in outline and "9. Дорожная карта" in outline
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == "ru" and catalog["/MarkInfo"]["/Marked"] and "/StructTreeRoot" in catalog  # tagged
    fonts = {str(font.get_object()["/BaseFont"]) for page in reader.pages for font in page["/Resources"]["/Font"].values()}
    assert fonts and all(re.fullmatch(r"/[A-Z]{6}\+CPP-Sans(-Bold)?", name) for name in fonts), fonts  # subsets only
    assert len(documents) == 1


def test_every_roadmap_entry_is_labelled_and_kept_on_one_page(client, database, login, director, school, rendered):
    # Road-map entries are labelled paragraphs, not table rows under a header: a page read alone says what
    # each line is, and an entry never continues on the next page.
    documents, _, _ = rendered
    many = tuple((code, f, t, f"Мероприятие номер {n:02d} с длинным описанием того, что именно предстоит сделать "
                  "ответственному исполнителю в течение учебного года", due, status)
                 for n in range(1, 41) for code, f, t, _, due, status in [PROGRAM_ACTIONS[n % len(PROGRAM_ACTIONS)]])
    program = program_through_models(database, school, actions=many)
    login(director)

    assert download(client, f"/programs/{program.id}.pdf").status_code == 200

    texts = pdf_pages(documents[0].write_pdf())
    roadmap_pages = [text for text in texts if "Статус:" in text]
    assert len(roadmap_pages) >= 3
    for text in roadmap_pages:
        entries = text.count("Мероприятие номер")
        assert entries > 0
        for label in ("Показатель:", "Ответственный:", "Срок:", "Статус:", "Ожидаемый результат:"):
            assert text.count(label) == entries, (label, text)
    assert sum(text.count("Мероприятие номер") for text in roadmap_pages) == len(many)


def test_pdf_prints_every_field_of_every_row(client, database, login, director, school, rendered):
    # Tables became labelled paragraphs and merged cells (for layout speed): no field may be lost on the way.
    program = program_through_models(database, school)
    doc = build_document(program)
    login(director)

    text = " ".join(pdf_pages(download(client, f"/programs/{program.id}.pdf").data)).replace(" ", "")

    def printed(value) -> bool:
        return str(value).replace(" ", "") in text

    for year in doc["roadmap"]:
        for action in year["actions"]:
            for field in ("text", "indicator_label", "responsible_name", "responsible_position", "due_date",
                          "expected_result", "status_label"):
                assert printed(action[field]), (field, action[field])
            assert printed(f"{action['number']}.{action['text']}")
            assert printed(f"({action['from_score']} → {action['to_score']})")
    for group in doc["possible_actions"]:
        for number, action in enumerate(group["actions"], start=1):
            assert printed(f"{number}. {action['text']} (баллы: {action['from_score']} → {action['to_score']})")
    for section in doc["results"]["sections"]:
        for row in section["indicators"]:
            assert printed(row["label"]) and printed(row["level_text"]) and printed(f"{row['score']} из {row['max']}")
    for number, deficit in enumerate(doc["deficits"], start=1):
        target = deficit["target"] if deficit["target"] is not None else "—"
        assert printed(f"{number}. {deficit['label']}") and printed(deficit["next_text"])
        assert printed(f"{deficit['current']} / {target} / {deficit['max']}")
    for row in doc["expected"]["indicators"]:
        assert printed(row["label"]) and printed(row["target_text"])
        assert printed(f"{row['current']} / {row['target']} / {row['max']}")
    bars = rendering.chart_rows(doc)
    assert bars and all(printed(f"{bar['score']} из {bar['max']} · {bar['label']}") for bar in bars)


def test_user_text_is_printed_as_text_and_fetches_nothing(client, database, login, director, school, rendered):
    documents, asked, _ = rendered
    actions = ((*PROGRAM_ACTIONS[0][:3], HOSTILE, *PROGRAM_ACTIONS[0][4:]),) + PROGRAM_ACTIONS[1:]
    program = program_through_models(database, school, actions=actions, goal='<link rel="stylesheet" href="https://example.com/x.css">')
    program.actions[0].responsible_name = '<a rel="attachment" href="file:///etc/shadow">y</a>'
    database.session.commit()
    login(director)

    response = download(client, f"/programs/{program.id}.pdf")

    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
    assert b"/EmbeddedFile" not in response.data
    assert asked, "the spy saw no fetch at all: it is not wired to the renderer"
    assert not [url for url in asked if "passwd" in url or "shadow" in url or "example.com" in url]
    assert all(url.startswith("cpp-static:") for url in asked)
    text = words(" ".join(pdf_page_texts(documents[0].write_pdf())))
    assert HOSTILE in text
    # Narrow columns break lines after «/»: compared without spaces.
    squeezed = text.replace(" ", "")
    assert '<arel="attachment"href="file:///etc/shadow">y</a>' in squeezed
    assert '<linkrel="stylesheet"href="https://example.com/x.css">' in squeezed


def test_unchanged_program_is_served_from_the_stored_copy(app, client, database, login, director, school, rendered):
    documents, _, _ = rendered
    program = program_through_models(database, school)
    login(director)

    first = download(client, f"/programs/{program.id}.pdf")
    second = download(client, f"/programs/{program.id}.pdf")

    assert first.status_code == second.status_code == 200
    assert len(documents) == 1, "the second download must not render again"
    assert second.data == first.data
    (row,) = stored_rows(database, program)
    assert (row.kind, row.revision, row.content_hash) == ("pdf", 1, document_hash(build_document(program)))
    old_id, old_file = row.id, stored_file(app, row)
    assert old_file.read_bytes() == first.data

    program.actions[0].text = "Зарегистрировать всех педагогов и администрацию во ФГИС «Моя школа»"
    database.session.commit()
    third = download(client, f"/programs/{program.id}.pdf")

    assert third.status_code == 200 and len(documents) == 2
    assert "и администрацию во ФГИС" in " ".join(pdf_pages(third.data))
    (new_row,) = stored_rows(database, program)  # the old draft's copy is gone, row and file
    assert new_row.id != old_id and not old_file.exists()
    assert stored_file(app, new_row).read_bytes() == third.data


def test_approved_revision_keeps_its_content_and_its_copy(app, client, database, login, director, school, rendered):
    documents, _, _ = rendered
    program = program_through_models(database, school)
    program.status, program.approved_at, program.approved_by_id = ProgramStatus.APPROVED, datetime(2025, 10, 1), director.id
    database.session.add(ProgramRevision(program=program, revision=1, snapshot=build_document(program),
                                         approved_at=program.approved_at, approved_by_id=director.id))
    database.session.commit()
    login(director)

    approved = download(client, f"/programs/{program.id}.pdf")
    assert approved.status_code == 200 and len(documents) == 1
    assert "Утверждена в ЦПП 01.10.2025, редакция 1" in " ".join(pdf_pages(approved.data))

    # «Начать новую редакцию»: revision 2, a draft; revision 1 stays the program's document.
    program.revision, program.status = 2, ProgramStatus.DRAFT
    program.actions[0].text = "Новое мероприятие второй редакции"
    database.session.commit()

    old = download(client, f"/programs/{program.id}.pdf?revision=1")
    assert old.status_code == 200 and len(documents) == 1, "revision 1's stored copy serves it"
    assert old.data == approved.data
    assert old.headers["Content-Disposition"] == f'attachment; filename="programma-razvitiya-{program.id}-r1.pdf"'

    default = download(client, f"/programs/{program.id}.pdf")
    assert default.data == approved.data and len(documents) == 1, "the approved revision is the default"
    assert default.headers["Content-Disposition"].endswith('-r1.pdf"')

    current = download(client, f"/programs/{program.id}.pdf?revision=2")
    assert current.status_code == 200 and len(documents) == 2
    assert current.headers["Content-Disposition"] == f'attachment; filename="programma-razvitiya-{program.id}-r2.pdf"'
    current_text = " ".join(pdf_pages(current.data))
    assert "Новое мероприятие второй редакции" in current_text and "ПРОЕКТ · редакция 2" in current_text

    again = download(client, f"/programs/{program.id}.pdf?revision=1")
    assert again.data == approved.data and len(documents) == 2
    old_text = " ".join(pdf_pages(again.data))
    assert PROGRAM_ACTIONS[0][3] in old_text and "Новое мероприятие второй редакции" not in old_text
    assert len(stored_rows(database, program)) == 2  # the approved copy and the current draft's

    for wanted in ("3", "7", "abc", "-1", "1.0"):
        assert download(client, f"/programs/{program.id}.pdf?revision={wanted}").status_code == 404, wanted


def test_docx_opens_with_word_structure_and_is_stored(client, database, login, director, school, rendered):
    _, _, docx_calls = rendered
    actions = ((*PROGRAM_ACTIONS[0][:3], "Провести\x01 аудит\x0b сети\x1f школы", *PROGRAM_ACTIONS[0][4:]),) + PROGRAM_ACTIONS[1:]
    program = program_through_models(database, school, actions=actions)
    login(director)

    response = download(client, f"/programs/{program.id}.docx")

    assert response.status_code == 200
    assert response.mimetype == rendering.DOCX_MIME
    assert response.headers["Content-Disposition"] == f'attachment; filename="programma-razvitiya-{program.id}-r1.docx"'
    assert response.headers["Cache-Control"] == "no-store"
    text = docx_text(response.data)
    assert school.full_name in text
    assert "Провести аудит сети школы" in text  # control characters dropped
    for action in PROGRAM_ACTIONS[1:]:
        assert action[3] in text, action[3]

    document = docx.Document(io.BytesIO(response.data))
    assert document.core_properties.title == build_document(program)["title"]
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings[0] == "1. Паспорт программы" and headings[-1] == "9. Дорожная карта"
    body = document.element.body.xml
    assert 'TOC \\o "1-2"' in body and "F9" in body
    assert "<w:tblHeader" in body
    footer = document.sections[0].footer._element.xml
    assert " PAGE " in footer and " NUMPAGES " in footer
    assert document.sections[0].different_first_page_header_footer

    assert download(client, f"/programs/{program.id}.docx").data == response.data
    assert len(docx_calls) == 1, "the second download must not render again"
    assert [row.kind for row in stored_rows(database, program)] == ["docx"]


@pytest.mark.parametrize("kind", ["pdf", "docx"])
def test_only_the_school_and_the_institute_may_download(app, client, database, make_user, school, kind):
    program = program_through_models(database, school)
    other_school = school_with_address(database, short_name="МБОУ СШ № 8", full_name="МБОУ «Средняя школа № 8»")
    database.session.commit()
    url = f"/programs/{program.id}.{kind}"

    anonymous = client.get(url)
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/login")
    for user, expected in (
        (make_user(role=Role.SCHOOL_ADMIN, organization=other_school), 404),
        (make_user(role=Role.TEACHER, organization=school), 404),
        (make_user(role=Role.METHODOLOGIST), 200),
        (make_user(role=Role.ADMIN), 200),
        (make_user(role=Role.SCHOOL_ADMIN, organization=school), 200),
    ):
        assert signed_in(app, user).get(url).status_code == expected, user.role


def test_missing_program_is_404(client, login, director):
    login(director)
    assert client.get("/programs/999999.pdf").status_code == 404
    assert client.get("/programs/999999.docx").status_code == 404


def test_stored_copy_survives_only_a_committed_transaction(app, database, school):
    program = program_through_models(database, school)
    doc = build_document(program)
    with app.test_request_context():
        rendering.stored_copy(program, "docx", doc, current=True)
        (row,) = stored_rows(database, program)
        path = stored_file(app, row)
        assert path.exists()
        database.session.rollback()
        assert not path.exists()
    assert database.session.scalar(select(func.count(RenderedDocument.id))) == 0


def test_a_lost_stored_file_is_rendered_again(app, client, database, login, director, school, rendered):
    documents, _, _ = rendered
    program = program_through_models(database, school)
    login(director)
    first = download(client, f"/programs/{program.id}.pdf")
    (row,) = stored_rows(database, program)
    stored_file(app, row).unlink()  # e.g. a database restored without the instance folder

    second = download(client, f"/programs/{program.id}.pdf")

    assert second.status_code == 200 and len(documents) == 2
    assert pdf_pages(second.data) == pdf_pages(first.data)
    database.session.expire_all()
    (again,) = stored_rows(database, program)
    assert again.id == row.id and stored_file(app, again).read_bytes() == second.data


def test_a_simultaneous_first_download_keeps_one_copy(app, client, database, login, director, school, monkeypatch):
    program = program_through_models(database, school)
    digest = document_hash(build_document(program))
    original = rendering.render_program_docx

    def render_while_another_request_stores(doc):
        data = original(doc)
        # The other request's row lands between our lookup and our insert.
        database.session.add(RenderedDocument(program_id=program.id, kind="docx", revision=1, content_hash=digest,
                                              file_name="0" * 32 + ".docx"))
        database.session.flush()
        return data

    monkeypatch.setattr(rendering, "render_program_docx", render_while_another_request_stores)
    store = Path(app.instance_path) / "uploads" / "rendered"
    before = set(store.glob("*.docx"))
    with app.test_request_context():
        data = rendering.stored_copy(program, "docx", build_document(program), current=True)
        database.session.commit()

    assert docx_text(data)
    (row,) = stored_rows(database, program)
    assert row.file_name == "0" * 32 + ".docx"
    assert set(store.glob("*.docx")) == before  # ours was removed on commit


def test_approval_renders_both_documents_before_anyone_asks(client, database, login, director, school, rendered):
    from cpp_app.blueprints.programs.services import approve_program
    from cpp_app.models import BackgroundJob
    from tests.factories import actor_of

    documents, _, docx_calls = rendered
    program = program_through_models(database, school)
    database.session.commit()
    approve_program(program, actor_of(director))
    assert not documents and not docx_calls  # nothing while the approval's transaction is open
    database.session.commit()
    jobs = database.session.execute(select(BackgroundJob.kind, BackgroundJob.status)).all()
    assert sorted(jobs) == [("render_program_document", "succeeded")] * 2
    assert len(documents) == 1 and len(docx_calls) == 1
    assert {row.kind for row in stored_rows(database, program)} == {"pdf", "docx"}

    documents.clear()
    docx_calls.clear()
    login(director)
    for kind in ("pdf", "docx"):
        response = client.get(f"/programs/{program.id}.{kind}")  # the file at once, no «готовится»
        assert response.status_code == 200 and response.mimetype != "text/html"
    assert not documents and not docx_calls, "the downloads rendered nothing: the stored copies were served"


def test_a_copy_not_ready_yet_is_waited_for_on_a_self_refreshing_page(app, client, database, login, director, school,
                                                                      rendered, monkeypatch):
    from cpp_app import jobs
    from cpp_app.models import BackgroundJob

    documents, _, _ = rendered
    monkeypatch.setattr(jobs, "_dispatch_after_commit", lambda job_id: None)  # the worker has not got to it yet
    program = program_through_models(database, school)
    database.session.commit()
    login(director)
    for _ in range(3):
        response = client.get(f"/programs/{program.id}.pdf")
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and response.headers["Refresh"] == "3"
        assert "<h1>Документ готовится…</h1>" in html and "no-store" in response.headers["Cache-Control"]
    assert database.session.scalar(select(func.count(BackgroundJob.id))) == 1, "asked for once, however often refreshed"
    assert not documents, "the request itself renders nothing"


def test_a_rendering_that_keeps_failing_is_reported_not_refreshed_forever(client, database, login, director, school,
                                                                          monkeypatch):
    def broken(doc):
        raise RuntimeError("WeasyPrint упал")

    monkeypatch.setattr(rendering, "render_program_pdf", broken)
    program = program_through_models(database, school)
    database.session.commit()
    login(director)
    first = client.get(f"/programs/{program.id}.pdf")
    assert first.status_code == 200 and "Refresh" in first.headers  # queued; inline, it fails after this request
    second = client.get(f"/programs/{program.id}.pdf")
    assert second.status_code == 503 and "Refresh" not in second.headers
    assert "Документ не удалось подготовить" in second.get_data(as_text=True)
