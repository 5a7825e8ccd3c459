from cpp_app.domain.documents import Block, document_hash, parse_blocks


def test_blocks():
    body = "# Согласие\n\nПервый абзац\nпродолжение.\n- пункт один\n- пункт два\nТекст после списка.\n# Раздел\n"
    assert parse_blocks(body) == [
        Block("heading", "Согласие"),
        Block("paragraph", "Первый абзац продолжение."),
        Block("list", items=("пункт один", "пункт два")),
        Block("paragraph", "Текст после списка."),
        Block("heading", "Раздел"),
    ]


def test_markup_is_kept_as_text():
    assert parse_blocks('<img src="file:///etc/passwd">') == [Block("paragraph", '<img src="file:///etc/passwd">')]


def test_hash_changes_with_any_character():
    assert document_hash("Текст") != document_hash("Текст.")
    assert len(document_hash("Текст")) == 64
