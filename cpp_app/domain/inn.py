"""Russian taxpayer numbers (ИНН) and primary state registration numbers (ОГРН)."""

_INN10_WEIGHTS = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_WEIGHTS_1 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_WEIGHTS_2 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


def _check_digit(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights)) % 11 % 10


def inn10_with_check_digit(first_nine: str) -> str:
    return first_nine + str(_check_digit(first_nine, _INN10_WEIGHTS))


def is_valid_inn(inn: str) -> bool:
    """A legal entity's ИНН has 10 digits, a person's 12; the last ones are check digits."""
    if not inn.isdigit():
        return False
    if len(inn) == 10:
        return int(inn[9]) == _check_digit(inn, _INN10_WEIGHTS)
    if len(inn) == 12:
        return int(inn[10]) == _check_digit(inn, _INN12_WEIGHTS_1) and int(inn[11]) == _check_digit(
            inn, _INN12_WEIGHTS_2
        )
    return False


def is_valid_ogrn(ogrn: str) -> bool:
    if not ogrn.isdigit() or len(ogrn) not in (13, 15):
        return False
    body, check = ogrn[:-1], int(ogrn[-1])
    modulus = 11 if len(ogrn) == 13 else 13
    return int(body) % modulus % 10 == check
