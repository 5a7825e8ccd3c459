import pytest

from cpp_app.domain.platform_links import LinkError, host_allowed, normalize_profile_link

SFERUM = ["sferum.ru"]
VK = ["vk.me", "vk.com", "vk.ru"]


@pytest.mark.parametrize(
    ("text", "domains", "expected"),
    [
        ("https://sferum.ru/?p=teacher&id=1", SFERUM, "https://sferum.ru/?p=teacher&id=1"),
        ("  https://sferum.ru/profile/123  ", SFERUM, "https://sferum.ru/profile/123"),
        ("HTTPS://Web.Sferum.RU/Profile", SFERUM, "https://web.sferum.ru/Profile"),
        ("https://vk.com/id12345", VK, "https://vk.com/id12345"),
        ("https://m.vk.ru/@school-article", VK, "https://m.vk.ru/@school-article"),
        ("https://lib.myschool.edu.ru/content/1#top", ["lib.myschool.edu.ru", "myschool.edu.ru"],
         "https://lib.myschool.edu.ru/content/1#top"),
        ("https://sferum.ru", SFERUM, "https://sferum.ru"),
    ],
)
def test_accepts_https_links_on_the_platform_hosts(text, domains, expected):
    assert normalize_profile_link(text, domains) == expected


@pytest.mark.parametrize("text", ["", "   ", None])
def test_empty_is_no_link(text):
    assert normalize_profile_link(text, SFERUM) is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("http://sferum.ru/profile", "https://"),
        ("javascript:alert(1)", "https://"),
        ("JavaScript://sferum.ru/%0aalert(1)", "https://"),
        ("data:text/html,<script>alert(1)</script>", "https://"),
        ("//sferum.ru/profile", "https://"),
        ("sferum.ru/profile", "https://"),
        ("ftp://sferum.ru/", "https://"),
        ("https://sferum.ru@evil.example/", "имя пользователя"),
        ("https://user:pass@sferum.ru/", "имя пользователя"),
        ("https://evil.example@sferum.ru/", "имя пользователя"),
        ("https://sferum.ru:8443/", "порт"),
        ("https://sferum.ru:443/", "порт"),
        ("https://evil.example/sferum.ru", "sferum.ru"),
        ("https://sferum.ru.evil.example/", "sferum.ru"),
        ("https://evilsferum.ru/", "sferum.ru"),
        ("https://sferum.ru./", "sferum.ru"),
        ("https://sferum%2eru/", "sferum.ru"),
        ("https://127.0.0.1/", "sferum.ru"),
        ("https://[::1]/", "sferum.ru"),
        ("https://[sferum.ru/", "не распознана"),
        ("https:///sferum.ru/", "sferum.ru"),
        ("https:sferum.ru", "sferum.ru"),
        ("https://сферум.рф/", "sferum.ru"),
        ("https://evil.example\\.sferum.ru/", "обратной косой"),
        ("https://evil.example\\@sferum.ru/", "обратной косой"),
        ("https://sferum.ru/pro file", "пробелов"),
        ("https://evil.example\n.sferum.ru/", "пробелов"),
        ("https://evil.example\t@sferum.ru/", "пробелов"),
        ("https://sferum.ru/" + "a" * 500, "не более 500"),
    ],
)
def test_rejects_everything_else_with_a_reason(text, message):
    with pytest.raises(LinkError) as error:
        normalize_profile_link(text, SFERUM)
    assert message in str(error.value)


def test_the_error_names_the_allowed_sites():
    with pytest.raises(LinkError, match="vk.me, vk.com, vk.ru"):
        normalize_profile_link("https://ok.ru/profile/1", VK)


def test_a_platform_without_domains_accepts_no_link():
    with pytest.raises(LinkError):
        normalize_profile_link("https://sferum.ru/", [])


def test_host_allowed_matches_whole_labels():
    assert host_allowed("sferum.ru", SFERUM)
    assert host_allowed("a.b.SFERUM.ru", SFERUM)
    assert not host_allowed("xsferum.ru", SFERUM)
    assert not host_allowed("sferum.ru.evil", SFERUM)
    assert not host_allowed("sferum.ru", ["", " "])
