"""A program's PDF and DOCX, rendered from build_document()'s plain data, and their stored copies.

Rendering a 20-page program costs about a second of CPU, so each rendering is kept: a stored file of kind
`rendered` (through `cpp_app.uploads`, in `<instance>/uploads/rendered/` by default) and a RenderedDocument row keyed
by (program, kind, document_hash(doc)). Unchanged content is served from the file; changed content renders anew. Copies of approved revisions are kept for good,
older copies of the current draft are removed. A file written in a transaction that does not commit is removed
again, and a file is deleted only once its row's deletion commits, so disk and database agree.
"""
import io
from collections.abc import Callable, Mapping, Sequence

from docx import Document as new_docx
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor
from flask import current_app, render_template
from sqlalchemy import select

from ... import pdf, uploads
from ...extensions import db
from ...kernel.plural import points_genitive
from ...kernel.xml_text import xml_safe
from ...models import DevelopmentProgram, RenderedDocument
from ...security import served_stored_copy
from .document import document_hash

PDF_MIME = "application/pdf"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
STORE_KIND = "rendered"


# ------------------------------------------------------------------------------------------------------- PDF


def chart_rows(doc: Mapping) -> list[dict]:
    """Section 3.1's chart: the indicators that count towards the level, as on the diagnostic's result page.

    Drawn as HTML bars, not the site's SVG chart: WeasyPrint lays SVG text out letter by letter, which cost
    more than the whole results table."""
    return [
        {"label": row["label"], "score": row["score"], "max": row["max"],
         "percent": round(100 * row["score"] / row["max"], 2) if row["max"] else 0}
        for section in doc["results"]["sections"]
        if section["counts_towards_level"] and not section["all_or_nothing"]
        for row in section["indicators"]
    ]


def document_html(doc: Mapping) -> str:
    details = information_details(doc["information"]) if "analysis" in doc else []
    return render_template("programs/document.html", doc=doc, chart_rows=chart_rows(doc), details=details,
                           council_mark=council_mark, stage_line=stage_line, swot_labels=SWOT_LABELS)


def render_program_pdf(doc: Mapping) -> bytes:
    # Through the module attribute, so that the locked-down renderer (and a test's spy on it) is what runs.
    return pdf.render_pdf(document_html(doc), stylesheets=["program.css"])


# ------------------------------------------------------------------------------------------------------ DOCX

FONT = "Times New Roman"
HEADING_COLOUR = RGBColor(0x1F, 0x3F, 0x66)


def _t(value) -> str:
    """Text for a run: a snapshot is data from the database, so it is cleaned again rather than trusted."""
    return xml_safe(value)


def _set_fonts(style, size: float | None = None, bold: bool | None = None, colour: RGBColor | None = None) -> None:
    font = style.font
    font.name = FONT
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    if colour is not None:
        font.color.rgb = colour
    r_pr = style.element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attribute), None)  # a theme font would override the named one
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), FONT)


def _styles(document) -> None:
    normal = document.styles["Normal"]
    _set_fonts(normal, 12)
    normal.paragraph_format.space_after = Pt(4)
    language = OxmlElement("w:lang")
    language.set(qn("w:val"), "ru-RU")
    language.set(qn("w:eastAsia"), "ru-RU")
    normal.element.get_or_add_rPr().append(language)  # Word's spelling and hyphenation: Russian
    for name, size in (("Heading 1", 15), ("Heading 2", 13), ("Heading 3", 12)):
        style = document.styles[name]
        _set_fonts(style, size, True, HEADING_COLOUR)
        style.font.italic = False
        style.paragraph_format.space_before = Pt(12 if name == "Heading 1" else 8)
        style.paragraph_format.space_after = Pt(4)
        style.paragraph_format.keep_with_next = True
    for name in ("Title", "Footer", "Table Grid"):
        _set_fonts(document.styles[name])


def _field(paragraph, instruction: str, placeholder: str = "") -> None:
    """A complex field (PAGE, NUMPAGES, TOC): Word computes it, the placeholder shows until it does."""

    def char(kind: str):
        run = paragraph.add_run()
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        run._r.append(element)

    char("begin")
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = f" {instruction} "
    paragraph.add_run()._r.append(code)
    char("separate")
    paragraph.add_run(placeholder)
    char("end")


def _page_setup(section, landscape: bool = False) -> None:
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
    section.left_margin = Mm(20 if landscape else 30)
    section.right_margin = Mm(15)
    section.top_margin = section.bottom_margin = Mm(20)


def _footer(section) -> None:
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    paragraph.add_run("стр. ")
    _field(paragraph, "PAGE", "1")
    paragraph.add_run(" из ")
    _field(paragraph, "NUMPAGES", "1")
    for run in paragraph.runs:
        run.font.size = Pt(9)


def _paragraph(document, text: str = "", *, bold=False, size=None, align=None, indent_cm=None, italic=False,
               space_after=None):
    paragraph = document.add_paragraph()
    if text:
        run = paragraph.add_run(_t(text))
        run.bold, run.italic = bold or None, italic or None  # None: as the style says, no explicit «off»
        if size:
            run.font.size = Pt(size)
    if align is not None:
        paragraph.alignment = align
    if indent_cm is not None:
        paragraph.paragraph_format.left_indent = Cm(indent_cm)
    if space_after is not None:
        paragraph.paragraph_format.space_after = Pt(space_after)
    return paragraph


def _repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    for tag in ("w:tblHeader", "w:cantSplit"):
        element = OxmlElement(tag)
        element.set(qn("w:val"), "true")
        tr_pr.append(element)


def _shade(cell, fill: str = "EEF1F5") -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _table(document, headers: Sequence[str] | None, rows: Sequence[Sequence], widths_cm: Sequence[float],
           *, label_column: bool = False, font_size: float = 10):
    """A grid table; a header row, when given, repeats on every page the table spans."""
    table = document.add_table(rows=0, cols=len(widths_cm))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False

    def fill(cells, values, *, bold_columns=()):
        for index, (cell, value) in enumerate(zip(cells, values, strict=True)):
            cell.width = Cm(widths_cm[index])
            paragraph = cell.paragraphs[0]
            paragraph.paragraph_format.space_after = Pt(0)
            run = paragraph.add_run(_t(value))
            run.font.size = Pt(font_size)
            run.bold = True if index in bold_columns else None

    for column, width in zip(table.columns, widths_cm, strict=True):
        column.width = Cm(width)  # the grid: LibreOffice lays a fixed table out by it, Word by the cells
    if headers is not None:
        row = table.add_row()
        _repeat_header(row)
        fill(row.cells, headers, bold_columns=range(len(headers)))
        for cell in row.cells:
            _shade(cell)
    for values in rows:
        row = table.add_row()
        fill(row.cells, values, bold_columns=(0,) if label_column else ())
        if label_column:
            _shade(row.cells[0])
    document.add_paragraph().paragraph_format.space_after = Pt(2)
    return table


def _paragraphs(document, items: Sequence[str]) -> None:
    if not items:
        _paragraph(document, "Раздел не заполнен.", italic=True)
    for item in items:
        _paragraph(document, item).alignment = WD_ALIGN_PARAGRAPH.JUSTIFY


SWOT_LABELS = (("strengths", "Сильные стороны"), ("weaknesses", "Слабые стороны"), ("opportunities", "Возможности"),
               ("risks", "Риски"))


def council_mark(council: Mapping) -> str:
    return (f"Рассмотрено на заседании {council['body']}, протокол № {council['protocol'] or '_____'} от "
            f"{council['date'] or '«___» ______________ 20___ г.'}")


def stage_line(stage: Mapping) -> str:
    return f"{stage['number']}. {stage['title']}: {stage['start']} – {stage['end']}"


def information_details(info: Mapping) -> list[tuple[str, str]]:
    """The information page's details after its table, as labelled paragraphs."""
    staff = info["staff"]
    profile = f"{staff['total']}."
    if staff["total"]:
        profile += " По должностям: " + "; ".join(f"{name} — {count}" for name, count in staff["by_position"]) + \
            ". По квалификационным категориям: " + \
            "; ".join(f"{name} — {count}" for name, count in staff["by_category"]) + "."
    return [
        ("Учредитель", info["founder"] or "не указан"),
        ("Лицензия на осуществление образовательной деятельности", " ".join(info["licence"]) or "не указана"),
        ("Государственная аккредитация", " ".join(info["accreditation"]) or "не указана"),
        ("Реализуемые образовательные программы", "; ".join(info["programs"]) or "не указаны"),
        ("Кадровый состав по данным ЦПП (педагоги, подтверждённые организацией)", profile),
        ("Контакты", "; ".join(info["contacts"]) or "не указаны"),
    ]


def _labelled(document, label: str, text: str) -> None:
    paragraph = _paragraph(document, f"{label}: ", bold=True, space_after=2)
    paragraph.add_run(_t(text))


def _cover(document, doc: Mapping) -> None:
    org = doc["organization"]
    owner = org["short_name"] or org["full_name"]
    _paragraph(document, org["full_name"], align=WD_ALIGN_PARAGRAPH.CENTER, size=11, space_after=36)
    approval = doc.get("approval")  # absent from snapshots of schema 1
    if approval:
        blank = "_______________________________"
        for text, bold in (
            ("СОГЛАСОВАНО", True),
            (approval["founder_position"] or blank, False),
            (f"{approval['founder_name'] or blank} (учредитель)", False),
            (f"________________ / {approval['founder_signatory'] or '________________'} /", False),
            ("«___» ______________ 20___ г.", False),
        ):
            _paragraph(document, text, bold=bold, space_after=2)
        _paragraph(document, space_after=12)
    for text, bold in (
        ("УТВЕРЖДАЮ", True),
        (f"Директор {owner}", False),
        ("________________ / ________________________ /", False),
        ("      (подпись)                         (ФИО)", False),
        ("Приказ № ______ от «___» ______________ 20___ г.", False),
    ):
        _paragraph(document, text, bold=bold, indent_cm=9, space_after=2, size=9 if "(подпись)" in text else None)
    if doc["status"] == "approved" and doc.get("approved_at"):
        _paragraph(document, f"Утверждена в ЦПП {doc['approved_at']}, редакция {doc['revision']}", indent_cm=9,
                   size=9, space_after=2)
    if approval:
        _paragraph(document, space_after=6)
        for council in approval["councils"]:
            _paragraph(document, council_mark(council), size=9, space_after=2)
    for _ in range(3 if approval else 6):
        _paragraph(document, space_after=12)
    _paragraph(document, "Программа развития", bold=True, size=24, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=12)
    _paragraph(document, org["full_name"], bold=True, size=14, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=8)
    _paragraph(document, f"на {doc['period']['text']}", size=14, align=WD_ALIGN_PARAGRAPH.CENTER)
    if doc["status"] != "approved":
        _paragraph(document, f"ПРОЕКТ · редакция {doc['revision']} · {doc['status_label']}", bold=True,
                   align=WD_ALIGN_PARAGRAPH.CENTER)
    for _ in range(5 if approval else 8):
        _paragraph(document, space_after=12)
    _paragraph(document, f"{org['municipality']}, {doc['period']['start']}", align=WD_ALIGN_PARAGRAPH.CENTER)
    document.paragraphs[-1].add_run().add_break(WD_BREAK.PAGE)


def _contents(document) -> None:
    _paragraph(document, "Содержание", bold=True, size=14, align=WD_ALIGN_PARAGRAPH.CENTER)
    _field(document.add_paragraph(), r'TOC \o "1-2" \h \z \u',
           "Оглавление ещё не построено: щёлкните здесь и нажмите F9.")
    _paragraph(document, "Примечание. Оглавление строится в текстовом редакторе: щёлкните по нему правой кнопкой "
               "мыши и выберите «Обновить поле» (или нажмите F9); в LibreOffice — «Сервис → Обновить → Обновить "
               "всё». После правки текста обновите оглавление так же.", italic=True, size=9)
    document.paragraphs[-1].add_run().add_break(WD_BREAK.PAGE)


def render_program_docx(doc: Mapping) -> bytes:
    """The same content as the PDF, for directors who edit in a word processor: Word headings (so Word builds
    the table of contents), tables whose header row repeats, page numbers in the footer, user text as plain runs.
    """
    document = new_docx()
    _styles(document)
    properties = document.core_properties
    properties.title = _t(doc["title"])
    properties.author = _t(doc["organization"]["short_name"] or doc["organization"]["full_name"])
    properties.subject = "Программа развития образовательной организации"
    properties.language = "ru-RU"
    properties.comments = f"Редакция {doc['revision']} ({doc['status_label']}), сформировано в ЦПП КК ИПК"
    properties.keywords = "программа развития; ЦОС; самодиагностика"

    section = document.sections[0]
    _page_setup(section)
    section.different_first_page_header_footer = True  # the title page has no page number
    _footer(section)

    _cover(document, doc)
    _contents(document)
    _sections_1_to_6(document, doc)

    roadmap = document.add_section(WD_SECTION.NEW_PAGE)
    _page_setup(roadmap, landscape=True)
    roadmap.different_first_page_header_footer = False
    _roadmap(document, doc)

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _sections_1_to_6(document, doc: Mapping) -> None:
    org, passport = doc["organization"], doc["passport"]
    document.add_heading("1. Паспорт программы", level=1)
    _table(document, None, [
        ("Наименование программы", passport["name"]),
        ("Основания для разработки", "\n".join(passport["basis"])),
        ("Разработчик программы", passport["developer"]),
        ("Цель программы", passport["goal"] or "Раздел не заполнен."),
        ("Задачи программы", "\n".join(f"— {task}" for task in passport["tasks"]) or "Раздел не заполнен."),
        ("Сроки и этапы реализации" if doc.get("stages") else "Сроки реализации",
         "\n".join([passport["period"], *(stage_line(stage) for stage in doc.get("stages", ()))])),
        ("Ожидаемые результаты", "\n".join(passport["expected_results"])),
    ], (5, 11.5), label_column=True)

    document.add_heading("2. Информационная справка об образовательной организации", level=1)
    info = doc["information"]
    rows = [
        ("Полное наименование", org["full_name"]),
        ("Краткое наименование", org["short_name"] or "—"),
        ("Тип организации", org["kind"]),
    ]
    if org.get("head"):
        rows.append(("Головная организация", org["head"]))
    rows += [
        ("Муниципальное образование", org["municipality"]),
        ("Адрес", org["address"] or "не указан"),
        ("ИНН", org["inn"] or "не указан"),
    ]
    if org.get("ogrn"):
        rows.append(("ОГРН", org["ogrn"]))
    rows += [
        ("Численность педагогических работников",
         f"{info['teachers'] if info['teachers'] is not None else 'не указана'} "
         f"(по данным самодиагностики {info['school_year']} уч. г.)"),
        ("Численность обучающихся", info["students"] if info["students"] is not None else "не указана"),
    ]
    _table(document, None, rows, (5, 11.5), label_column=True)
    full = "analysis" in doc  # snapshots of schema 1 have none of letter 03-877's added parts
    if full:
        for label, text in information_details(info):
            _labelled(document, label, text)

    document.add_heading("3. Проблемно-ориентированный анализ текущего состояния", level=1)
    document.add_heading("3.1. Результаты самодиагностики", level=2)
    results = doc["results"]
    _paragraph(document, f"{results['methodology_title']} (версия {results['methodology_version']}), "
                         f"{results['school_year']} учебный год.")
    rows, number = [], 0
    for section in results["sections"]:
        outside = "" if section["counts_towards_level"] else " (не входит в уровень)"
        rows.append(("", f"{section['title']}{outside}", "", f"{section['points']} из {section['max']}"))
        for row in section["indicators"]:
            number += 1
            critical = " (критический)" if row["critical"] else ""
            rows.append((number, f"{row['label']}{critical}", row["level_text"], f"{row['score']} из {row['max']}"))
    rows.append(("", f"Итого: уровень «{results['level_title']}»", "", f"{results['total']} из {results['max']}"))
    _table(document, ("№", "Показатель", "Достигнутый уровень", "Баллы"), rows, (1, 6, 7.5, 2))
    _paragraph(document, f"Итоговый результат: {results['total']} из {results['max']} баллов ({results['percent']}), "
                         f"уровень «{results['level_title']}».", bold=True)
    if results.get("cap_note"):
        _paragraph(document, results["cap_note"])
    if results.get("levels_note"):
        _paragraph(document, results["levels_note"], italic=True, size=9)

    document.add_heading("3.2. Дефициты", level=2)
    if doc["deficits"]:
        _table(document, ("№", "Показатель", "Сейчас", "Цель программы", "Максимум", "Следующий уровень"), [
            (index, f"{d['label']}{' (критический)' if d['critical'] else ''}", d["current"],
             d["target"] if d["target"] is not None else "—", d["max"], d["next_text"])
            for index, d in enumerate(doc["deficits"], start=1)
        ], (1, 5, 1.8, 2.2, 1.8, 4.7))
    else:
        _paragraph(document, "Дефицитов по результатам самодиагностики не выявлено.")
    document.add_heading("3.3. Причины дефицитов", level=2)
    _paragraphs(document, doc["causes"])
    if full:
        document.add_heading("3.4. Сильные и слабые стороны, возможности и риски", level=2)
        for key, label in SWOT_LABELS:
            _paragraph(document, label, bold=True, space_after=2)
            _paragraphs(document, [f"— {line}" for line in doc["analysis"][key]])

    document.add_heading("4. Основные направления развития", level=1)
    if full:
        document.add_heading("4.1. Миссия и образ будущего", level=2)
        _paragraphs(document, doc["mission"])
    document.add_heading(f"{'4.2' if full else '4.1'}. Возможные действия", level=2)
    if not doc["possible_actions"]:
        _paragraph(document, "Действия не выбраны.", italic=True)
    for index, group in enumerate(doc["possible_actions"], start=1):
        target = ""
        if group["target"] is not None:
            word = points_genitive(group["target"])
            target = f" — с {group['current']} до {group['target']} {word}"
        critical = " (критический)" if group["critical"] else ""
        document.add_heading(f"{index}. {group['label']}{critical}{target}", level=3)
        _table(document, ("№", "Действие", "Баллы", "Ожидаемый результат"), [
            (number, action["text"], f"{action['from_score']} → {action['to_score']}", action["expected_result"] or "—")
            for number, action in enumerate(group["actions"], start=1)
        ], (1, 7.5, 1.8, 6.2))
    document.add_heading(f"{'4.3' if full else '4.2'}. Управленческие решения", level=2)
    _paragraphs(document, doc["decisions"])

    document.add_heading("5. Ожидаемые результаты", level=1)
    before, after = doc["expected"]["before"], doc["expected"]["after"]
    _paragraph(document, f"Уровень по результатам самодиагностики: «{before['level_title']}» ({before['total']} из "
                         f"{before['max']} баллов, {before['percent']}) → «{after['level_title']}» ({after['total']} из "
                         f"{after['max']} баллов, {after['percent']}) после выполнения программы.", bold=True)
    if doc["expected"]["indicators"]:
        _table(document, ("№", "Показатель", "Сейчас", "Цель", "Максимум", "Целевой уровень показателя"), [
            (index, row["label"], row["current"], row["target"], row["max"], row["target_text"])
            for index, row in enumerate(doc["expected"]["indicators"], start=1)
        ], (1, 5, 1.8, 1.8, 1.8, 5.1))
    for line in doc["expected"]["summary"][1:]:
        _paragraph(document, line)

    document.add_heading("6. Механизмы реализации", level=1)
    _paragraphs(document, doc["mechanisms"])
    if full:
        document.add_heading("6.1. Ресурсное обеспечение и источники финансирования", level=2)
        _paragraphs(document, doc["resources"])
        document.add_heading("7. Этапы реализации программы", level=1)
        _paragraphs(document, [stage_line(stage) for stage in doc["stages"]])
        document.add_heading("8. Мониторинг и контроль реализации", level=1)
        _paragraphs(document, doc["monitoring"])


def _roadmap(document, doc: Mapping) -> None:
    document.add_heading(f"{9 if 'analysis' in doc else 7}. Дорожная карта", level=1)
    _paragraph(document, f"Мероприятий: {doc['totals']['actions']}. Статусы — на дату формирования документа.")
    for year in doc["roadmap"]:
        document.add_heading(year["title"], level=3)
        if not year["actions"]:
            _paragraph(document, "Мероприятия на этот год не запланированы.", italic=True)
            continue
        _table(document, ("№", "Мероприятие", "Показатель", "Ответственный", "Срок", "Ожидаемый результат", "Статус"), [
            (
                action["number"],
                action["text"],
                f"{action['indicator_label']} ({action['from_score']} → {action['to_score']})",
                "\n".join(part for part in (action["responsible_name"], action["responsible_position"]) if part) or "—",
                action["due_date"] or "не указан",
                action["expected_result"] or "—",
                action["status_label"],
            )
            for action in year["actions"]
        ], (1, 7, 4.2, 4, 2.2, 6.2, 2.6), font_size=9.5)


# --------------------------------------------------------------------------------------------- stored copies

Renderer = Callable[[Mapping], bytes]


def renderers() -> dict[str, tuple[Renderer, str]]:
    # Looked up at call time, so that a test's spy on a renderer is the one used.
    return {"pdf": (render_program_pdf, ".pdf"), "docx": (render_program_docx, ".docx")}


def stored_copy(program: DevelopmentProgram, kind: str, doc: Mapping, *, current: bool) -> bytes:
    """The rendering of `doc` as `kind`, from the stored copy when there is one, rendered and stored otherwise.

    `current`: `doc` is the program's current content (not an approved revision's snapshot); storing a new
    copy of it then drops older copies that belong to no approved revision. Flushes; the caller commits."""
    render, suffix = renderers()[kind]
    digest = document_hash(doc)
    row = _stored_row(program, kind, digest)
    if row is not None:
        data = _read(row.file_name)
        if data is not None:
            served_stored_copy()
            return data
    data = render(doc)
    name = uploads.save_generated(data, STORE_KIND, suffix)
    if row is not None:  # the row outlived its file (e.g. a restored database): point it at the new one
        row.file_name = name
        db.session.flush()
        return data
    stored = _insert_once(program_id=program.id, kind=kind, revision=int(doc["revision"]), content_hash=digest,
                          file_name=name)
    if not stored:  # a simultaneous first download stored its copy first: ours goes once this commits
        uploads.delete(name, STORE_KIND)
        return data
    if current:
        _prune(program, kind, digest)
    return data


def stored_data(program: DevelopmentProgram, kind: str, doc: Mapping) -> bytes | None:
    """The stored rendering of `doc`, or None when it has not been rendered (yet)."""
    row = _stored_row(program, kind, document_hash(doc))
    data = _read(row.file_name) if row is not None else None
    if data is not None:
        served_stored_copy()
    return data


def _stored_row(program: DevelopmentProgram, kind: str, digest: str) -> RenderedDocument | None:
    return db.session.scalar(
        select(RenderedDocument).where(
            RenderedDocument.program_id == program.id,
            RenderedDocument.kind == kind,
            RenderedDocument.content_hash == digest,
        )
    )


def _insert_once(**values) -> bool:
    """Inserts the row unless one with the same key exists; no savepoint, which pysqlite would commit early."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - the service runs on PostgreSQL, tests also on SQLite
        db.session.add(RenderedDocument(**values))
        db.session.flush()
        return True
    statement = (
        insert(RenderedDocument)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["program_id", "kind", "content_hash"])
        .returning(RenderedDocument.id)
    )
    # RETURNING, not rowcount: an ORM-enabled insert does not report a reliable rowcount on every driver.
    return db.session.execute(statement).scalar() is not None


def _prune(program: DevelopmentProgram, kind: str, keep: str) -> None:
    """Drops the copies of content that is neither current nor an approved revision (old drafts)."""
    approved = {document_hash(revision.snapshot) for revision in program.revisions}
    stale = db.session.scalars(
        select(RenderedDocument).where(
            RenderedDocument.program_id == program.id,
            RenderedDocument.kind == kind,
            RenderedDocument.content_hash != keep,
        )
    ).all()
    for row in stale:
        if row.content_hash not in approved:
            uploads.delete(row.file_name, STORE_KIND)
            db.session.delete(row)
    db.session.flush()


def _read(name: str) -> bytes | None:
    try:
        return uploads.read(name, STORE_KIND)
    except OSError:
        current_app.logger.exception("could not read stored rendering %s", name)
        return None
