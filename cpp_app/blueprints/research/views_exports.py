"""Every research table as XLSX and CSV (the same queries and filters as its page), the codebook, and the
anonymised dataset as a CSV prepared by a background job."""
from datetime import timedelta

from flask import abort, make_response, render_template

from ... import uploads
from ...exports import Column, export_response
from ...jobs import Wait, succeeded_since, wait_for
from ...models import utcnow
from . import bp, dataset, queries
from .jobs import STORE_KIND, dataset_key, queue_dataset
from .pages import (
    DEMAND_COLUMNS,
    PLATFORM_COLUMNS,
    RESPONSE_COLUMNS,
    chosen,
    demand_row,
    distribution_columns,
    distribution_row,
    platform_row,
    response_row,
)
from .views import format_or_404, research_roles

# A prepared dataset is served for an hour; after that a download prepares it anew from the current answers.
DATASET_FRESH_FOR = timedelta(hours=1)
REFRESH_SECONDS = 5


def _with_instrument():
    picked = chosen()
    if picked.instrument is None:
        abort(404)  # no teacher instrument is published: nothing was ever answered
    return picked


def _version_name(picked) -> str:
    return f"{picked.filters.version.code} v{picked.filters.version.version}"


@bp.get("/response-municipalities.<fmt>")
@research_roles
def export_response_municipalities(fmt: str):
    rate = queries.response_rate(chosen().filters)
    rows = [*map(response_row, rate.by_municipality), response_row(rate.total)]
    return export_response("Отклик по муниципалитетам", format_or_404(fmt), [Column("Муниципалитет"),
                                                                            *RESPONSE_COLUMNS], rows)


@bp.get("/response-kinds.<fmt>")
@research_roles
def export_response_kinds(fmt: str):
    rate = queries.response_rate(chosen().filters)
    rows = [*map(response_row, rate.by_kind), response_row(rate.total)]
    return export_response("Отклик по типам ОО", format_or_404(fmt), [Column("Тип ОО"), *RESPONSE_COLUMNS], rows)


@bp.get("/area-levels.<fmt>")
@research_roles
def export_area_levels(fmt: str):
    format_or_404(fmt)
    picked = _with_instrument()
    columns = distribution_columns("Область", [t.title for t in picked.instrument.thresholds])
    rows = map(distribution_row, queries.area_levels(picked.filters, picked.instrument))
    return export_response(f"Уровни по областям {_version_name(picked)}", fmt, columns, rows)


@bp.get("/item-scores.<fmt>")
@research_roles
def export_item_scores(fmt: str):
    format_or_404(fmt)
    picked = _with_instrument()
    columns = distribution_columns("Пункт", [f"балл {score}" for score in queries.score_columns(picked.instrument)])
    rows = map(distribution_row, queries.item_scores(picked.filters, picked.instrument))
    return export_response(f"Баллы по пунктам {_version_name(picked)}", fmt, columns, rows)


@bp.get("/platform-ratings.<fmt>")
@research_roles
def export_platform_ratings(fmt: str):
    format_or_404(fmt)
    picked = _with_instrument()
    rows = map(platform_row, queries.platform_ratings(picked.filters, picked.instrument))
    return export_response(f"Самооценка и платформы {_version_name(picked)}", fmt, PLATFORM_COLUMNS, rows)


@bp.get("/course-demand.<fmt>")
@research_roles
def export_course_demand(fmt: str):
    demand = queries.course_demand(chosen().filters)
    rows = [[d.title, "открыт" if d.is_open else "закрыт", *demand_row(d)] for d in demand.by_course]
    return export_response("Спрос на курсы", format_or_404(fmt),
                           [Column("Курс"), Column("Набор"), *DEMAND_COLUMNS], rows)


@bp.get("/course-demand-municipalities.<fmt>")
@research_roles
def export_course_demand_municipalities(fmt: str):
    demand = queries.course_demand(chosen().filters)
    rows = [[d.title, d.municipality, *demand_row(d)] for d in demand.by_course_and_municipality]
    return export_response("Спрос на курсы по муниципалитетам", format_or_404(fmt),
                           [Column("Курс"), Column("Муниципалитет"), *DEMAND_COLUMNS], rows)


@bp.get("/codebook.<fmt>")
@research_roles
def export_codebook(fmt: str):
    format_or_404(fmt)
    picked = _with_instrument()
    rows = [[e.column, e.description, e.values] for e in dataset.codebook(picked.instrument, picked.filters.version)]
    return export_response(f"Кодовая книга {_version_name(picked)}", fmt,
                           [Column("Столбец"), Column("Что означает"), Column("Значения")], rows)


@bp.get("/dataset.csv")
@research_roles
def export_dataset():
    """The prepared file when one for these filters is fresh; otherwise its preparation is queued (once) and the page
    refreshes itself until the file is there."""
    picked = _with_instrument()
    key = dataset_key(picked.link_args)
    ready = succeeded_since(key, utcnow() - DATASET_FRESH_FOR)
    response = None if ready is None else uploads.send(
        ready.result_file, STORE_KIND, mimetype="text/csv", as_attachment=True,
        download_name=f"Исследование цифровой готовности {_version_name(picked)}.csv")
    if response is not None:
        response.headers["Cache-Control"] = "no-store"
        return response
    if wait_for(key, utcnow() - DATASET_FRESH_FOR, lambda: queue_dataset(picked.link_args)) == Wait.FAILED:
        response = make_response(render_template("research/dataset_failed.html", chosen=picked), 503)
    else:
        response = make_response(render_template("research/dataset_preparing.html", chosen=picked,
                                                 seconds=REFRESH_SECONDS))
        response.headers["Refresh"] = str(REFRESH_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    return response
