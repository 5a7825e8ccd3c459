"""Downloads of a development program: GET /programs/<id>.pdf and /programs/<id>.docx (?revision=N); without
?revision the approved edition while a newer revision is only a draft. Only stored copies are sent: approving
queues both documents, and a copy not rendered yet is queued and waited for on a self-refreshing page, so no
request holds a worker while WeasyPrint runs."""
from datetime import timedelta

from flask import abort, make_response, render_template, request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...jobs import Wait, wait_for
from ...models import DevelopmentProgram, Diagnostic, Organization, ProgramRevision, ProgramStatus, Role, utcnow
from ...security import render_rate_limit, role_required, served_stored_copy
from . import bp
from .document import build_document
from .jobs import queue_rendering, rendering_key
from .rendering import DOCX_MIME, PDF_MIME, stored_data

READER_ROLES = (Role.SCHOOL_ADMIN, Role.METHODOLOGIST, Role.ADMIN)
INSTITUTE_ROLES = (Role.METHODOLOGIST, Role.ADMIN)
MIME_TYPES = {"pdf": PDF_MIME, "docx": DOCX_MIME}
REFRESH_SECONDS = 3
# A rendering that failed for good this recently is reported instead of being asked for again on every refresh.
FAILURE_SHOWN_FOR = timedelta(minutes=10)


def visible_program(program_id: int, role: Role, organization_id: int | None) -> DevelopmentProgram | None:
    """The program if this user may read it: the school admin of its organisation, the institute's staff any.
    None otherwise, which the view turns into a 404."""
    query = select(DevelopmentProgram).where(DevelopmentProgram.id == program_id).options(
        selectinload(DevelopmentProgram.actions),
        selectinload(DevelopmentProgram.revisions),
        selectinload(DevelopmentProgram.organization).selectinload(Organization.municipality),
        selectinload(DevelopmentProgram.diagnostic).selectinload(Diagnostic.answers),
        selectinload(DevelopmentProgram.diagnostic).selectinload(Diagnostic.methodology),
    )
    if role == Role.SCHOOL_ADMIN and organization_id is not None:
        query = query.where(DevelopmentProgram.organization_id == organization_id)
    elif role not in INSTITUTE_ROLES:
        return None
    return db.session.scalar(query)


def _requested_document(program: DevelopmentProgram) -> tuple[dict, bool]:
    """(the content to render, whether it is the current one). By default the program's document: the current
    content, or — while a new revision is a draft — the last approved revision. ?revision=N is an approved
    revision's snapshot, or the draft when N is the draft's number."""
    wanted = request.args.get("revision")
    draft = program.status == ProgramStatus.DRAFT
    if wanted is None or wanted == "":
        if draft and program.revisions:
            return program.revisions[-1].snapshot, False
        return build_document(program), True
    if not wanted.isdigit() or len(wanted) > 6:
        abort(404)
    if draft and int(wanted) == program.revision:
        return build_document(program), True
    revision = next((r for r in program.revisions if r.revision == int(wanted)), None)
    if not isinstance(revision, ProgramRevision) or not revision.snapshot:
        abort(404)
    return revision.snapshot, False


def _download(program_id: int, kind: str):
    program = visible_program(program_id, current_user.role, current_user.organization_id) or abort(404)
    doc, current = _requested_document(program)
    data = stored_data(program, kind, doc)
    if data is None:
        return _preparing(program, kind, doc, current)
    response = make_response(data)
    response.mimetype = MIME_TYPES[kind]
    response.headers["Content-Disposition"] = (
        f'attachment; filename="programma-razvitiya-{program.id}-r{int(doc["revision"])}.{kind}"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _preparing(program: DevelopmentProgram, kind: str, doc: dict, current: bool):
    """No stored copy yet: its rendering is queued (once) and the page refreshes itself until the copy is there."""
    wait = wait_for(rendering_key(program, kind, doc), utcnow() - FAILURE_SHOWN_FOR,
                    lambda: queue_rendering(program, kind, doc, None if current else int(doc["revision"])))
    if wait != Wait.QUEUED:
        served_stored_copy()  # nothing asked for now: waiting, or a failure, costs the reader nothing
    if wait == Wait.FAILED:
        response = make_response(render_template("programs/document_failed.html", program=program, kind=kind), 503)
    else:
        response = make_response(render_template("programs/document_preparing.html", program=program, kind=kind,
                                                  seconds=REFRESH_SECONDS))
        response.headers["Refresh"] = str(REFRESH_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<int:program_id>.pdf", endpoint="pdf")
@role_required(*READER_ROLES)
@render_rate_limit  # asking for a rendering costs a worker seconds of CPU; stored copies and waiting are free
def program_pdf(program_id: int):
    return _download(program_id, "pdf")


@bp.get("/<int:program_id>.docx", endpoint="docx")
@role_required(*READER_ROLES)
@render_rate_limit
def program_docx(program_id: int):
    return _download(program_id, "docx")
