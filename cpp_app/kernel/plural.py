"""Russian words after a number: 1 балл, 2 балла, 5 баллов, 11 баллов, 21 балл."""


def plural(number: int, one: str, few: str, many: str) -> str:
    if number % 10 == 1 and number % 100 != 11:
        return one
    if 2 <= number % 10 <= 4 and not 12 <= number % 100 <= 14:
        return few
    return many


def points_word(number: int) -> str:
    return plural(number, "балл", "балла", "баллов")


def genitive(number: int, singular: str, plural_form: str) -> str:
    """After «до», «из», «с», «для», «не менее»: 1, 21, 101 take the genitive singular, the rest the plural."""
    return singular if number % 10 == 1 and number % 100 != 11 else plural_form


def points_genitive(number: int) -> str:
    return genitive(number, "балла", "баллов")
