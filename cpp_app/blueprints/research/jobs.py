"""The anonymised research dataset, prepared in the background: at the scale of the country (500,000 assessments)
it takes tens of seconds, which no request should hold a worker for."""
import hashlib
import json

from flask import current_app
from sqlalchemy import select, update

from ... import uploads
from ...exports import csv_chunks
from ...extensions import db
from ...jobs import enqueue, job
from ...models import BackgroundJob, JobStatus
from . import dataset
from .pages import chosen

PREPARE_DATASET = "research_dataset"
STORE_KIND = "exports"


def dataset_key(link_args: dict[str, str]) -> str:
    """One prepared file per choice of filters."""
    digest = hashlib.sha256(json.dumps(link_args, sort_keys=True).encode()).hexdigest()[:32]
    return f"research-dataset:{digest}"


def queue_dataset(link_args: dict[str, str]) -> None:
    enqueue(PREPARE_DATASET, {"args": link_args}, key=dataset_key(link_args))


@job(PREPARE_DATASET, "Набор данных исследования (CSV)")
def prepare_dataset(payload: dict) -> str | None:
    args = payload.get("args") or {}
    # The filters are read as the download page reads them, from its query string.
    with current_app.test_request_context("/research/dataset.csv", query_string=args):
        picked = chosen()
        if picked.instrument is None:
            return None
        platforms = dataset.platform_list()
        plan = dataset.plan(picked.filters, picked.instrument, picked.filters.version, platforms)
        name = uploads.write_generated(csv_chunks(dataset.columns(picked.instrument, platforms), dataset.stream(plan)),
                                       STORE_KIND, ".csv")
    _drop_older_files(dataset_key(args))
    return name


def _drop_older_files(key: str) -> None:
    """Only the newest file of a choice of filters is kept."""
    older = db.session.execute(
        select(BackgroundJob.id, BackgroundJob.result_file)
        .where(BackgroundJob.key == key, BackgroundJob.status == JobStatus.SUCCEEDED.value,
               BackgroundJob.result_file.is_not(None))
    ).all()
    for _, name in older:
        uploads.delete(name, STORE_KIND)
    if older:
        db.session.execute(update(BackgroundJob).where(BackgroundJob.id.in_([row_id for row_id, _ in older]))
                           .values(result_file=None))
