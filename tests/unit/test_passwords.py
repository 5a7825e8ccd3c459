from cpp_app.domain.passwords import password_problems


def test_short_password_refused():
    assert "не короче 8" in password_problems("Ab1!xyz")[0]


def test_common_passwords_refused_case_insensitively():
    for password in ("password", "12345678", "QWERTY123", "йцукенгш", "11111111", "aaaaaaaaaa"):
        assert password_problems(password), password


def test_personal_data_refused():
    assert password_problems("ivanova2026", personal=("ivanova@mail.ru", "ivanova"))


def test_good_password_accepted():
    assert password_problems("Енисей-течёт-на-север", personal=("teacher@school.example",)) == []


def test_overlong_password_refused():
    assert password_problems("x" * 129)
