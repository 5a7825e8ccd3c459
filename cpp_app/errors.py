"""Russian error pages; a failed request never leaves half a transaction behind."""
from flask import current_app, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, SecurityError

from .extensions import db

MESSAGES = {
    400: ("Некорректный запрос", "Сервер не смог разобрать запрос. Вернитесь на предыдущую страницу и попробуйте ещё раз."),
    403: ("Доступ запрещён", "У вас нет прав для просмотра этой страницы."),
    404: ("Страница не найдена", "Такой страницы нет или у вас нет к ней доступа. Проверьте адрес."),
    405: ("Метод не поддерживается", "Эта страница не принимает такой запрос."),
    413: ("Слишком большой файл", "Размер отправленных данных превышает допустимый."),
    429: ("Слишком много запросов", "Вы отправили слишком много запросов подряд. Подождите немного и попробуйте снова."),
    500: ("Внутренняя ошибка сервера", "Что-то пошло не так. Мы уже знаем об ошибке; попробуйте повторить действие позже."),
}


def render_error(code: int, message: str | None = None):
    title, default_message = MESSAGES.get(code, MESSAGES[500])
    return render_template("errors/error.html", code=code, title=title, message=message or default_message), code


def register_error_handlers(app):
    for code in MESSAGES:
        if code != 500:
            app.register_error_handler(code, lambda error, code=code: render_error(code))

    @app.errorhandler(500)
    def internal_error(error):
        db.session.rollback()
        return render_error(500)

    @app.errorhandler(SecurityError)
    def untrusted_host(error):
        # A Host header outside TRUSTED_HOSTS: no URL can be built for it, so no page with links either.
        return "Некорректный запрос: неизвестный адрес сайта.", 400, {"Content-Type": "text/plain; charset=utf-8"}

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        view = current_app.view_functions.get(request.endpoint)
        if view is not None and getattr(view, "rerender_on_csrf_failure", False):
            # The form validates its own token again, fails, and shows the posted values with the reason.
            try:
                response = current_app.make_response(view(**(request.view_args or {})))
            except HTTPException as refusal:
                return render_error(refusal.code)
            if response.status_code < 300:
                response.status_code = 400
            return response
        return render_error(
            400,
            "Страница устарела или форма отправлена не с сайта ЦПП. Обновите страницу и повторите действие.",
        )
