"""Rendering a program's PDF or DOCX in the background, so that no download waits seconds for WeasyPrint."""
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...jobs import enqueue, job
from ...models import DevelopmentProgram, Diagnostic, ProgramRevision
from .document import build_document, document_hash
from .rendering import stored_copy

RENDER_DOCUMENT = "render_program_document"
DOCUMENT_KINDS = ("pdf", "docx")


def rendering_key(program: DevelopmentProgram, kind: str, doc: dict) -> str:
    return f"program-document:{program.id}:{kind}:{document_hash(doc)}"


def queue_rendering(program: DevelopmentProgram, kind: str, doc: dict, revision: int | None) -> None:
    """Asks for the stored copy of `doc`: an approved revision's snapshot (`revision`) or, with None, the
    program's current content. One job per program, kind and content."""
    enqueue(RENDER_DOCUMENT, {"program_id": program.id, "kind": kind, "revision": revision},
            key=rendering_key(program, kind, doc))


def queue_revision_documents(program: DevelopmentProgram, revision: ProgramRevision) -> None:
    """An approved revision's PDF and DOCX, ready before anyone asks for them."""
    for kind in DOCUMENT_KINDS:
        queue_rendering(program, kind, revision.snapshot, revision.revision)


@job(RENDER_DOCUMENT, "Документ программы развития (PDF или DOCX)")
def render_program_document(payload: dict) -> None:
    program = db.session.scalar(
        select(DevelopmentProgram).where(DevelopmentProgram.id == payload["program_id"]).options(
            selectinload(DevelopmentProgram.actions), selectinload(DevelopmentProgram.revisions),
            selectinload(DevelopmentProgram.diagnostic).selectinload(Diagnostic.answers)))
    if program is None:
        return  # deleted since: nothing to render
    wanted = payload.get("revision")
    if wanted is None:
        stored_copy(program, payload["kind"], build_document(program), current=True)
        return
    revision = next((r for r in program.revisions if r.revision == wanted), None)
    if revision is not None and revision.snapshot:
        stored_copy(program, payload["kind"], revision.snapshot, current=False)
