"""The institute's research view of the teachers' self-assessments: response rate, level distributions, self-rating
against platform use, course demand, and the codebook of the anonymised dataset."""
from flask import abort, render_template

from ...exports import FORMATS
from ...models import Role
from ...security import role_required
from . import bp, dataset, queries
from .pages import HIDDEN, chosen

research_roles = role_required(Role.METHODOLOGIST, Role.ADMIN)


def format_or_404(fmt: str) -> str:
    if fmt not in FORMATS:
        abort(404)
    return fmt


def _page(template: str, picked, **context):
    return render_template(f"research/{template}", chosen=picked, hidden=HIDDEN, **context)


@bp.get("/")
@research_roles
def index():
    picked = chosen()
    return _page("response.html", picked, rate=queries.response_rate(picked.filters))


@bp.get("/levels")
@research_roles
def levels():
    picked = chosen()
    if picked.instrument is None:
        return _page("levels.html", picked, areas=[], items=[], level_titles=[], score_titles=[])
    return _page("levels.html", picked, areas=queries.area_levels(picked.filters, picked.instrument),
                 items=queries.item_scores(picked.filters, picked.instrument),
                 level_titles=[t.title for t in picked.instrument.thresholds],
                 score_titles=[f"Балл {score}" for score in queries.score_columns(picked.instrument)])


@bp.get("/platforms")
@research_roles
def platforms():
    picked = chosen()
    ratings = queries.platform_ratings(picked.filters, picked.instrument) if picked.instrument else []
    return _page("platforms.html", picked, ratings=ratings, rated_from=queries.RATED_FROM)


@bp.get("/courses")
@research_roles
def courses():
    picked = chosen()
    return _page("courses.html", picked, demand=queries.course_demand(picked.filters))


@bp.get("/codebook")
@research_roles
def codebook():
    picked = chosen()
    entries = dataset.codebook(picked.instrument, picked.filters.version) if picked.instrument else []
    return _page("codebook.html", picked, entries=entries)
