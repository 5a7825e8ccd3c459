"""The course a page of either audience is about, or a 404."""
from flask import abort

from ...models import Course
from .services import get_course


def course_or_404(course_id: int) -> Course:
    course = get_course(course_id)
    if course is None:
        abort(404)
    return course
