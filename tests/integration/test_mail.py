"""Outgoing mail: readable files in development, and a mail server that is down never undoes an action."""
from email import message_from_bytes
from email import policy as email_policy

from cpp_app.mail import send_mail

# Long Cyrillic lines are what made the standard library pick base64.
BODY = ("Для входа в сервис «Цифровой профиль педагога» КК ИПК введите на странице входа код:\n\n"
        "Код: 123456\n\nКод действует 10 минут и только один раз. Никому его не сообщайте.\n")


def test_a_mail_file_is_readable_text_and_a_valid_message(app, database, tmp_path):
    app.config.update(MAIL_BACKEND="file", MAIL_DIR=str(tmp_path))
    try:
        send_mail("methodologist@school.example", "Код для входа в ЦПП", BODY)
        database.session.commit()  # mail leaves once the transaction that asked for it commits
    finally:
        app.config.update(MAIL_BACKEND="memory")
    [path] = tmp_path.glob("*.eml")
    raw = path.read_bytes()
    assert "Код: 123456" in raw.decode("utf-8")  # a developer opens the file in an editor
    message = message_from_bytes(raw, policy=email_policy.default)
    assert message["To"] == "methodologist@school.example" and message["Subject"] == "Код для входа в ЦПП"
    assert "Код: 123456" in message.get_content()


def test_an_unreachable_mail_server_does_not_undo_the_action_it_reports(app, database, caplog, monkeypatch):
    import smtplib

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(smtplib, "SMTP", refuse)
    app.config.update(MAIL_BACKEND="smtp")
    try:
        send_mail("teacher@school.example", "ЦПП: ваше обращение принято", BODY)
        database.session.commit()
    finally:
        app.config.update(MAIL_BACKEND="memory")
    assert "Mail not sent: ConnectionRefusedError" in caplog.text
    assert "teacher@school.example" not in caplog.text


def test_account_mail_to_one_address_is_capped_and_a_dead_counter_store_fails_open(app, database, monkeypatch):
    from cpp_app.extensions import limiter
    from cpp_app.mail import outbox

    for _ in range(5):
        send_mail("teacher@school.example", "Восстановление пароля в ЦПП", "…", capped=True)
    send_mail("other@school.example", "Восстановление пароля в ЦПП", "…", capped=True)
    send_mail("teacher@school.example", "Код для входа в ЦПП", "…")  # not capped: it has limits of its own
    database.session.commit()
    assert [m["To"] for m in outbox()].count("teacher@school.example") == 4
    assert [m["To"] for m in outbox()].count("other@school.example") == 1

    def storage_down(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(type(limiter.limiter), "hit", storage_down)
    send_mail("third@school.example", "Восстановление пароля в ЦПП", "…", capped=True)
    database.session.commit()
    assert outbox()[-1]["To"] == "third@school.example"
