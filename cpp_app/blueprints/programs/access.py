"""Who may open a program: the school admin their own organisation's, the institute's staff any (read-only)."""
from flask import abort
from flask_login import current_user

from ...models import DevelopmentProgram, Role
from .pages import region_program, school_program

READERS = (Role.SCHOOL_ADMIN, Role.METHODOLOGIST, Role.ADMIN)


def is_school() -> bool:
    return current_user.has_role(Role.SCHOOL_ADMIN)


def own_or_404(program_id: int) -> DevelopmentProgram:
    """The school admin's own program; for everyone else, and for another organisation's program, a 404."""
    if not is_school():
        abort(404)
    return school_program(current_user.organization_id, program_id) or abort(404)


def readable_or_404(program_id: int) -> DevelopmentProgram:
    if is_school():
        return own_or_404(program_id)
    return region_program(program_id) or abort(404)
