"""Organisation names made comparable: what a teacher types and what the registry holds reduce to the same words.

«СОШ №1», «средняя общеобразовательная школа № 1» and «МБОУ "СОШ № 1"» all read «сош 1». Words every school
name has (МБОУ, СОШ, школа, гимназия …) are weak: they rank the results but never find an organisation alone.
"""
import re
from dataclasses import dataclass

# Words every school name has: they find hundreds of organisations and tell none apart.
WEAK_WORDS = frozenset("""
    мбоу маоу мкоу мбдоу мадоу мкдоу мбу мау мку мбудо маудо кгбоу кгкоу кгаоу кгбпоу кгапоу кгбдоу кгаоу чоу ноу оу
    гоу моу мдоу моудо
    сош оош нош сш ош цо цдт дюсш дшидо дши дод до доо спо
    школа школы школе средняя средней основная основной начальная общеобразовательная общеобразовательной
    общеобразовательное общеобразовательного учреждение учреждения муниципальное муниципального бюджетное бюджетного
    автономное автономного казенное казенного государственное государственного краевое краевого образовательная
    образовательное образовательной организация организации детский сад филиал имени им гимназия гимназии лицей
    лицея интернат город поселок село деревня пос пгт район района муниципальный округ края край
    красноярского красноярский центр дополнительного образования ср осн нач общеобр
""".split())

STOP_WORDS = frozenset({"во", "на", "со", "при", "для", "по", "из", "от", "инн"})

# The spelled-out school types people abbreviate, and the other way round.
_PHRASES = (
    (re.compile(r"\bсредн\w* общеобразовательн\w* школ\w*"), "сош"),
    (re.compile(r"\bосновн\w* общеобразовательн\w* школ\w*"), "оош"),
    (re.compile(r"\bначальн\w* общеобразовательн\w* школ\w*"), "нош"),
    (re.compile(r"\bсредн\w* школ\w*"), "сш"),
    (re.compile(r"\bшкол\w*"), "школа"),
)
_SCHOOL_TYPES = frozenset({"сош", "оош", "нош", "сш", "ош"})
# «№ 1», «№1», «N1», «No 1», «#1» are the number 1; «СОШ№1» and «сош1» too.
_NUMBER_SIGN = re.compile(r"(?:№|#|(?<![^\W\d_])(?:no|n)(?=\s*\d))\s*")
_LETTERS_THEN_DIGITS = re.compile(r"(?<=[^\W\d_])(?=\d)")
_WORD = re.compile(r"[^\W_]+")
# A long run of digits is an INN or OGRN being typed: it is matched by its beginning.
LONG_NUMBER = 5


def _words(text: str) -> list[str]:
    text = (text or "").lower().replace("ё", "е")
    text = _NUMBER_SIGN.sub(" ", text)
    text = _LETTERS_THEN_DIGITS.sub(" ", text)
    text = " ".join(_WORD.findall(text))
    for pattern, short in _PHRASES:
        text = pattern.sub(short, text)
    return text.split()


def search_text(*parts: str | None) -> str:
    """The stored, searchable form of a registry entry: its distinct words, each framed by spaces."""
    words = list(dict.fromkeys(word for part in parts if part for word in _words(part)))
    if _SCHOOL_TYPES.intersection(words) and "школа" not in words:
        words.append("школа")  # «Элитовская школа» finds «Элитовская СОШ»
    return f" {' '.join(words)} "


def _stem(word: str) -> str:
    # Typed names come declined («Элитовской школе»): compare the beginning of longer words.
    return word[:-2] if len(word) >= 6 else word


@dataclass(frozen=True)
class Query:
    """What typed text asks for: every strong word (a prefix) and number (a whole word) must be in the name."""

    strong: tuple[str, ...]
    numbers: tuple[str, ...]
    weak: tuple[str, ...]

    @property
    def is_empty(self) -> bool:
        return not (self.strong or self.numbers or self.weak)

    def required(self) -> list[str]:
        """LIKE patterns (over the framed search text) every found name matches; weak words when nothing else."""
        patterns = [f"% {word}%" for word in self.strong]
        patterns += [f"% {n}%" if len(n) >= LONG_NUMBER and n.isdigit() else f"% {n} %" for n in self.numbers]
        return patterns or [f"% {word}%" for word in self.weak]

    def ranking(self) -> list[str]:
        """LIKE patterns of the weak words: the more a name has, the higher it stands."""
        return [f"% {word}%" for word in self.weak]


def parse_query(text: str) -> Query:
    strong, numbers, weak = [], [], []
    for word in dict.fromkeys(_words(text)):
        if any(ch.isdigit() for ch in word):
            numbers.append(word)
        elif len(word) == 1 or word in STOP_WORDS:
            continue  # «в», «г.», «с.», «на»: nothing to find by
        elif word in WEAK_WORDS:
            weak.append(word)
        else:
            strong.append(_stem(word))
    return Query(tuple(strong), tuple(numbers), tuple(weak))


def settlement_patterns(settlement: str | None) -> list[str]:
    """LIKE patterns a name (with its municipality) or address matches when it lies in the typed settlement."""
    query = parse_query(settlement or "")
    return [f"% {word}%" for word in query.strong]


def _like(pattern: str, text: str) -> bool:
    """The LIKE patterns above, evaluated in Python: «% w%» is a word starting with w, «% w %» the word w."""
    return pattern[1:].rstrip("%") in text


def matches(patterns: list[str], text: str) -> bool:
    return all(_like(pattern, text) for pattern in patterns)


def weak_hits(query: Query, text: str) -> int:
    return sum(_like(pattern, text) for pattern in query.ranking())


def name_hits(query: Query, name: str) -> int:
    """How many distinctive words of the query the name itself has (not its municipality or INN)."""
    text = search_text(name)
    return sum(_like(f"% {word}%", text) for word in query.strong)
