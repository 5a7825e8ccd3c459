"""Forms of the methodology versions: the file upload and the publish button of a preview."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField


class MethodologyUploadForm(FlaskForm):
    # The type and size are checked by the service, which reads the file; the messages are its own.
    file = FileField("Файл методики (YAML или JSON, не больше 1 МБ)", validators=[
        FileRequired("Выберите файл методики."),
    ])


class PublishForm(FlaskForm):
    """The token of the previewed version kept on the server; the content itself never comes from the browser."""

    token = HiddenField()
