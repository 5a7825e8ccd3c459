"""How a new staff register is compared with the loaded one: added, removed, changed and unchanged rows."""
from cpp_app.blueprints.school.register_import import RegisterRow, compare_registers


def row(name, email=None, phone=None, position=None):
    return RegisterRow(name, email, phone, position)


def test_rows_are_compared_whatever_their_order():
    old = [row("Иванова Анна", "a@x.ru"), row("Петров Пётр", "p@x.ru"), row("Сидорова Вера", "v@x.ru", position="учитель")]
    new = [row("Новая Галина", "g@x.ru"), row("сидорова вера", "v@x.ru", position="завуч"), row("Иванова Анна", "a@x.ru")]
    diff = compare_registers(old, new)
    assert (diff.added, diff.removed, diff.changed, diff.unchanged) == (1, 1, 1, 1)


def test_first_register_adds_everything_and_an_empty_one_removes_everything():
    rows = [row("Иванова Анна"), row("Петров Пётр")]
    assert compare_registers([], rows).added == 2
    assert compare_registers(rows, []).removed == 2
    same = compare_registers(rows, list(reversed(rows)))
    assert (same.added, same.removed, same.changed, same.unchanged) == (0, 0, 0, 2)


def test_namesakes_count_as_many_times_as_they_appear():
    old = [row("Иванова Анна", "a1@x.ru"), row("Иванова Анна", "a2@x.ru")]
    new = [row("Иванова Анна", "a1@x.ru"), row("Иванова Анна", "a3@x.ru"), row("Иванова Анна", "a4@x.ru")]
    diff = compare_registers(old, new)
    assert (diff.added, diff.removed, diff.changed, diff.unchanged) == (1, 0, 1, 1)
