"""An uploaded methodology file read into a validated Methodology: the type and size refused with a field error,
every content problem reported with its line in the file, and YAML that would explode refused before validation."""
import re
import tempfile
from dataclasses import replace
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from ...domain.methodology import Methodology, MethodologyError, Problem, load_methodology_file
from ...service_errors import FieldErrors
from ...uploads import display_name

MAX_UPLOAD_BYTES = 1024 * 1024
UPLOAD_SUFFIXES = (".yaml", ".yml", ".json")
# Nodes after expanding YAML aliases: a few hundred bytes of `&a [*b, *b, …]` could otherwise ask the
# validator for billions of steps. A real methodology has a few thousand.
MAX_EXPANDED_NODES = 200_000
TOO_DEEP = "слишком глубокая вложенность списков и словарей"


def read_upload(data: bytes, filename: str | None) -> Methodology:
    """The uploaded file as a validated Methodology.

    FieldErrors for a file that cannot be read at all (empty, too big, wrong type); MethodologyError with every
    problem (file, path, line, message) for content that is not a valid methodology."""
    source = display_name(filename)
    suffix = Path(source).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise FieldErrors({"file": "Загрузите методику в формате YAML (.yaml, .yml) или JSON (.json)."})
    if not data:
        raise FieldErrors({"file": "Файл пустой. Выберите файл методики."})
    if len(data) > MAX_UPLOAD_BYTES:
        raise FieldErrors({"file": "Файл больше 1 МБ. Методика занимает десятки килобайт: проверьте, тот ли это файл."})
    tree = _compose(data, source)
    try:
        # The domain loader reads files; a private temporary one keeps its exact messages for uploads too.
        with tempfile.TemporaryDirectory(prefix="cpp-methodology-") as directory:
            path = Path(directory) / f"upload{suffix}"
            path.write_bytes(data)
            try:
                return load_methodology_file(path)
            except MethodologyError as error:
                raise MethodologyError(
                    [replace(p, source=source, line=p.line or line_of(tree, p.path)) for p in error.problems]
                ) from None
    except RecursionError:
        raise MethodologyError([Problem(source, "", TOO_DEEP)]) from None


def _compose(data: bytes, source: str) -> yaml.Node | None:
    """The YAML node tree (JSON is YAML too) for line numbers; None where the loader will report the syntax."""
    try:
        tree = yaml.compose(data.decode("utf-8-sig"), Loader=yaml.SafeLoader)
    except (UnicodeDecodeError, yaml.YAMLError):
        return None
    except RecursionError:
        raise MethodologyError([Problem(source, "", TOO_DEEP)]) from None
    if tree is not None and _expanded_size(tree) > MAX_EXPANDED_NODES:
        raise MethodologyError([Problem(
            source, "", "после раскрытия ссылок на якоря (*имя) файл слишком велик: повторите текст без ссылок"
        )])
    return tree


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _expanded_size(root: yaml.Node) -> int:
    """Nodes counted as if every alias were written out; linear in the tree, shared nodes measured once."""
    sizes: dict[int, int] = {}
    stack = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        if children_done:
            sizes[id(node)] = min(1 + sum(sizes[id(child)] for child in _children(node)), MAX_EXPANDED_NODES + 1)
        else:
            stack.append((node, True))
            stack.extend((child, False) for child in _children(node) if id(child) not in sizes)
    return sizes[id(root)]


_STEP = re.compile(r"\[(\d+)\]|([^.\[\]]+)")


def line_of(tree: yaml.Node | None, path: str) -> int | None:
    """The 1-based line of the deepest part of `path` (sections[0].indicators[3].levels[2].text) in the file.

    A missing key points at the mapping that lacks it; None when not even the first step is found."""
    if tree is None or not path:
        return None
    node, line = tree, None
    for index, key in _STEP.findall(path):
        if index:
            if not isinstance(node, SequenceNode) or int(index) >= len(node.value):
                break
            node = node.value[int(index)]
            line = node.start_mark.line + 1
        else:
            if not isinstance(node, MappingNode):
                break
            found = next(((k, v) for k, v in node.value if isinstance(k, ScalarNode) and k.value == key), None)
            if found is None:
                break
            node, line = found[1], found[0].start_mark.line + 1
    return line
