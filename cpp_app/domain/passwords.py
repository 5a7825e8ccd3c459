"""Password policy: length and a list of passwords that attackers try first."""
from functools import cache

from zxcvbn.frequency_lists import FREQUENCY_LISTS

MIN_LENGTH = 8
MAX_LENGTH = 128

# Passwords common among Russian speakers that the English-centred list misses.
_RUSSIAN_COMMON = """
йцукенгш йцукенгшщз йцукен123 пароль123 парольпароль qwerty123 qwertyui
qwerty1234 1q2w3e4r 1q2w3e4r5t 1q2w3e4r5t6y zaq12wsx zxcvbnm1 q1w2e3r4
q1w2e3r4t5 11223344 12341234 87654321 123123123 1234512345 00000000
12345qwert privet123 parol123 russia123 moskva123 krasnoyarsk
krasnoyarsk1 krasnoyarsk24 uchitel123 shkola123 школа123 учитель123
красноярск красноярск1 красноярск24
""".split()


@cache
def _common_passwords() -> frozenset[str]:
    known = (p for p in FREQUENCY_LISTS["passwords"] if len(p) >= MIN_LENGTH)
    return frozenset(known) | frozenset(_RUSSIAN_COMMON)


def password_problems(password: str, personal: tuple[str, ...] = ()) -> list[str]:
    """Reasons, in Russian, why a password may not be used; empty when it is fine."""
    if len(password) < MIN_LENGTH:
        return [f"Пароль должен быть не короче {MIN_LENGTH} символов."]
    if len(password) > MAX_LENGTH:
        return [f"Пароль должен быть не длиннее {MAX_LENGTH} символов."]
    lowered = password.lower()
    if lowered in _common_passwords() or len(set(lowered)) <= 2:
        return ["Этот пароль слишком распространён и легко подбирается. Придумайте другой."]
    for value in personal:
        value = (value or "").strip().lower()
        if len(value) >= 4 and (value in lowered or lowered in value):
            return ["Пароль не должен совпадать с вашими личными данными (имя, адрес почты)."]
    return []
