import pytest

from cpp_app.domain.platform_links import (
    LinkError,
    host_allowed,
    normalize_evidence_link,
    normalize_profile_link,
    with_scheme,
)

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
        # Copied without the scheme: https:// is added, and the host is checked all the same.
        ("sferum.ru/profile", SFERUM, "https://sferum.ru/profile"),
        ("//sferum.ru/profile", SFERUM, "https://sferum.ru/profile"),
        ("Web.Sferum.ru/?p=1", SFERUM, "https://web.sferum.ru/?p=1"),
        ("vk.com/id12345", VK, "https://vk.com/id12345"),
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
        ("evil.example/sferum.ru", "sferum.ru"),
        ("sferum.ru.evil.example/", "sferum.ru"),
        ("sferum.ru:8443/", "порт"),
        ("sferum.ru@evil.example/", "имя пользователя"),
        ("mailto:teacher@sferum.ru", "https://"),
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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sferum.ru/profile", "https://sferum.ru/profile"),
        ("//sferum.ru/profile", "https://sferum.ru/profile"),
        ("https://sferum.ru/", "https://sferum.ru/"),
        ("http://school.ru/", "http://school.ru/"),
        ("javascript:alert(1)", "javascript:alert(1)"),
        ("sferum.ru:443/x", "https://sferum.ru:443/x"),
    ],
)
def test_a_scheme_is_added_only_where_none_is_named(text, expected):
    assert with_scheme(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("school.ru/docs/plan.pdf", "https://school.ru/docs/plan.pdf"),
        ("  https://School.RU/Docs/Plan.pdf ", "https://school.ru/Docs/Plan.pdf"),
        ("http://school.ru/a?b=1#c", "http://school.ru/a?b=1#c"),
        ("школа.рф/документ", "https://школа.рф/документ"),
        ("", ""),
        (None, ""),
    ],
)
def test_evidence_links_get_https_added(text, expected):
    assert normalize_evidence_link(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("ftp://school.ru/x", "https://"),
        ("javascript:alert(1)", "https://"),
        ("data:text/html,x", "https://"),
        ("localhost/x", "страницу сайта"),
        ("https://127.0.0.1/x", "страницу сайта"),
        ("https://school.ru:8080/x", "порт"),
        ("https://user@school.ru/", "имя пользователя"),
        ("school.ru/пла н", "пробелов"),
        ("school.ru/" + "a" * 500, "не более 500"),
    ],
)
def test_evidence_links_are_checked(text, message):
    with pytest.raises(LinkError) as error:
        normalize_evidence_link(text)
    assert message in str(error.value)
