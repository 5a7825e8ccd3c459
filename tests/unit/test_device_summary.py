"""Sessions are listed by a device summary a person recognises, taken from the browser's User-Agent."""
import pytest

from cpp_app.blueprints.cabinet.security_services import describe_user_agent

CHROME_WINDOWS = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/124.0.0.0 Safari/537.36")


@pytest.mark.parametrize(("user_agent", "summary"), [
    (CHROME_WINDOWS, "Chrome, Windows"),
    (CHROME_WINDOWS + " Edg/124.0.2478.51", "Microsoft Edge, Windows"),
    (CHROME_WINDOWS.replace("Safari/537.36", "YaBrowser/24.4.0.0 Safari/537.36"), "Яндекс Браузер, Windows"),
    ("Mozilla/5.0 (Linux; Android 14; SM-A546B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile Safari/537.36",
     "Chrome, Android"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 "
     "Mobile/15E148 Safari/604.1", "Safari, iPhone"),
    ("Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0", "Firefox, Linux"),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36 "
     "OPR/109.0", "Opera, macOS"),
    ("Werkzeug/3.1", "Неизвестное устройство"),
    ("", "Неизвестное устройство"),
    (None, "Неизвестное устройство"),
])
def test_summary(user_agent, summary):
    assert describe_user_agent(user_agent) == summary
