"""Legal documents kept as plain text with a little structure; rendered without trusting any markup."""
import hashlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Block:
    kind: str  # heading | paragraph | list
    text: str = ""
    items: tuple[str, ...] = ()


def document_hash(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def parse_blocks(body: str) -> list[Block]:
    """`# ` starts a heading, `- ` a list item, a blank line ends a paragraph."""
    blocks: list[Block] = []
    paragraph: list[str] = []
    items: list[str] = []

    def flush():
        if paragraph:
            blocks.append(Block("paragraph", " ".join(paragraph)))
            paragraph.clear()
        if items:
            blocks.append(Block("list", items=tuple(items)))
            items.clear()

    for raw in body.splitlines():
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith("#"):
            flush()
            blocks.append(Block("heading", line.lstrip("#").strip()))
        elif line.startswith("- "):
            if paragraph:
                flush()
            items.append(line[2:].strip())
        else:
            if items:
                flush()
            paragraph.append(line)
    flush()
    return blocks
