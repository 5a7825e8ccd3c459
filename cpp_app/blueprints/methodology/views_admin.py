"""Methodology versions for methodologists, under /admin: list, readable version pages, upload → preview →
publish. The routes are the admin blueprint's (`admin.methodologies`, …)."""
from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from ...domain.methodology import MethodologyError
from ...domain.workflow import TransitionRefused
from ...kernel.actor import request_actor
from ...kernel.forms import show_field_errors
from ...kernel.transaction import commit_now, discard_changes
from ...models import Role
from ...security import rerender_on_csrf_failure, role_required, upload_rate_limit
from ...service_errors import FieldErrors
from ..admin import bp as admin_bp
from .description import describe
from .forms import MethodologyUploadForm, PublishForm
from .services_publication import prepare_preview, publish_previewed
from .services_versions import (
    DEFAULT_METHODOLOGY,
    TEACHER,
    diagnostics_using,
    get_version,
    list_versions,
    methodology_of,
    platform_names,
    publisher_name,
)
from .upload import MAX_UPLOAD_BYTES, display_name, read_upload

methodology_staff = role_required(Role.METHODOLOGIST, Role.ADMIN)


@admin_bp.get("/methodologies")
@methodology_staff
def methodologies():
    return render_template("methodology/versions.html", rows=list_versions())


@admin_bp.get("/methodologies/<int:version_id>")
@methodology_staff
def methodology(version_id: int):
    version = get_version(version_id)
    if version is None:
        abort(404)
    return render_template(
        "methodology/version.html", version=version, view=describe(methodology_of(version), platform_names()),
        diagnostics=diagnostics_using(version), publisher=publisher_name(version),
    )


@admin_bp.get("/methodologies/upload")
@methodology_staff
def methodology_upload():
    return render_template("methodology/upload.html", form=MethodologyUploadForm(), problems=[])


@admin_bp.post("/methodologies/preview")
@methodology_staff
@upload_rate_limit
@rerender_on_csrf_failure
def methodology_preview():
    form, problems = MethodologyUploadForm(), []
    if form.validate_on_submit():
        upload = form.file.data
        try:
            methodology = read_upload(upload.stream.read(MAX_UPLOAD_BYTES + 1), upload.filename)
        except FieldErrors as error:
            show_field_errors(form, error.errors)
        except MethodologyError as error:
            problems = error.problems
        else:
            preview = prepare_preview(methodology, display_name(upload.filename), current_user.id)
            return render_template(
                "methodology/preview.html", preview=preview, form=PublishForm(token=preview.token),
                default_code=DEFAULT_METHODOLOGY,
            )
    return render_template("methodology/upload.html", form=form, problems=problems), 400


@admin_bp.post("/methodologies/publish")
@methodology_staff
def methodology_publish():
    form = PublishForm()
    try:
        if not form.validate_on_submit():
            raise TransitionRefused("Страница устарела. Загрузите файл методики ещё раз.")
        outcome = publish_previewed(form.token.data, current_user.id, request_actor())
        commit_now()  # two methodologists publishing at once: the loser is told below, not shown a 500
    except TransitionRefused as refusal:
        discard_changes()  # the preview stays usable: nothing of it is consumed
        flash(str(refusal), "error")
        return redirect(url_for("admin.methodology_upload"))
    except IntegrityError:  # another methodologist published the same version number a moment earlier
        discard_changes()
        flash("Эту версию методики только что опубликовал другой пользователь. Проверьте список версий и, "
              "если содержание отличается, загрузите файл с новым номером версии.", "error")
        return redirect(url_for("admin.methodologies"))
    version = outcome.version
    if outcome.created and version.subject == TEACHER:
        flash(f"Опубликована версия {version.version} методики «{version.title}» для педагога. Новые самооценки "
              "заполняются по ней; самодиагностики школ она не затрагивает.", "success")
    elif outcome.created:
        flash(f"Опубликована версия {version.version} методики «{version.title}». Новые самодиагностики "
              "заполняются по ней; начатые раньше остаются на своей версии.", "success")
    else:
        flash(f"Версия {version.version} методики «{version.code}» уже опубликована с таким же содержанием — "
              "ничего не изменено.", "info")
    return redirect(url_for("admin.methodology", version_id=version.id))
