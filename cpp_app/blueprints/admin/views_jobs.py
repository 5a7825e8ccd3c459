"""«Фоновые задачи»: the admin sees queued, running and failed jobs with the reason, and retries a failure."""
from flask import abort, flash, redirect, render_template, request, url_for

from ...jobs import kind_label
from ...kernel.forms import EmptyForm
from ...models import JOB_STATUS_LABELS, JobStatus, Role
from ...security import role_required
from . import bp
from .services_jobs import overview, retry_failed


@bp.get("/jobs")
@role_required(Role.ADMIN)
def jobs():
    view = overview(request.args.get("status"), request.args.get("page", 1, type=int))
    return render_template("admin/jobs.html", view=view, labels=JOB_STATUS_LABELS, JobStatus=JobStatus,
                           kind_label=kind_label, form=EmptyForm())


@bp.post("/jobs/<int:job_id>/retry")
@role_required(Role.ADMIN)
def job_retry(job_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    row = retry_failed(job_id)
    if row is None:
        flash("Эта задача уже не в состоянии ошибки: её повторили или она выполнена.", "info")
    else:
        flash(f"Задача № {row.id} «{kind_label(row.kind)}» снова поставлена в очередь.", "success")
    return redirect(url_for("admin.jobs", status=JobStatus.FAILED.value))
