"""Links people paste: a teacher's profile on an education platform (https, on the platform's own hosts, nothing
else) and a school's evidence for a diagnostic answer (a web page on any real host). A link copied without its
scheme (`sferum.ru/…`, `//sferum.ru/…`) gets https:// added."""
import re
from collections.abc import Iterable
from urllib.parse import urlsplit, urlunsplit

MAX_LENGTH = 500

# Plain ASCII host labels only: anything else (backslashes, %-escapes, IP literals, a trailing dot)
# is a place where browsers and Python's parser can disagree about the host.
_HOST = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$")
_FORBIDDEN = re.compile(r"[\s\\\x00-\x1f\x7f]")
# A scheme the link already names: `https://…`, or one that needs no slashes (`javascript:`, `data:`, `mailto:`…),
# which is then refused as not https. `sferum.ru:443/…` names none: its «scheme» would contain a dot.
_HAS_SCHEME = re.compile(r"^(?:[a-z][a-z0-9+-]*:(?://|(?!\d))|[a-z][a-z0-9+.-]*://)", re.IGNORECASE)


class LinkError(ValueError):
    pass


def host_allowed(host: str, domains: Iterable[str]) -> bool:
    """The host is one of the domains or a subdomain of one; `evilsferum.ru` is not `sferum.ru`."""
    host = host.lower()
    return any(host == domain or host.endswith("." + domain) for domain in (d.strip().lower() for d in domains) if domain)


def with_scheme(text: str) -> str:
    """`sferum.ru/profile` and `//sferum.ru/profile` → `https://sferum.ru/profile`; a link naming a scheme as is."""
    if text.startswith("//"):
        return "https:" + text
    return text if _HAS_SCHEME.match(text) else "https://" + text


def _split(text: str | None, max_length: int, schemes: tuple[str, ...]):
    """The parts of a pasted link and its lower-cased host, scheme added where missing; None when empty."""
    text = (text or "").strip()
    if not text:
        return None
    if len(text) > max_length:
        raise LinkError(f"Ссылка слишком длинная: не более {max_length} символов.")
    if _FORBIDDEN.search(text):
        raise LinkError("Ссылка не должна содержать пробелов и обратной косой черты. Скопируйте её из адресной строки.")
    try:
        parts = urlsplit(with_scheme(text))
    except ValueError:
        raise LinkError("Ссылка не распознана. Скопируйте её из адресной строки браузера.") from None
    if parts.scheme.lower() not in schemes:
        raise LinkError("Ссылка должна начинаться с https://.")
    if "@" in parts.netloc:
        raise LinkError("Ссылка не должна содержать имя пользователя или пароль (знак «@» перед адресом сайта).")
    return parts, (parts.hostname or "").lower()


def normalize_profile_link(text: str | None, domains: Iterable[str]) -> str | None:
    """The link with its scheme and host lower-cased, None when empty; LinkError says in Russian what is wrong."""
    domains = [d for d in domains if d]
    split = _split(text, MAX_LENGTH, ("https",))
    if split is None:
        return None
    parts, host = split
    if not _HOST.match(host) or not host_allowed(host, domains):
        raise LinkError(f"Ссылка должна вести на сайт платформы: {', '.join(domains)}.")
    if parts.netloc.lower() != host:
        raise LinkError("Ссылка не должна содержать номер порта.")
    return urlunsplit(("https", host, parts.path, parts.query, parts.fragment))


def normalize_evidence_link(text: str | None, max_length: int = MAX_LENGTH) -> str:
    """A link to a document on the web (a school site may still be plain http), scheme and host lower-cased; ""
    when empty. The host must be a real site name: no IP address, port or user name."""
    split = _split(text, max_length, ("https", "http"))
    if split is None:
        return ""
    parts, host = split
    try:
        ascii_host = host.encode("idna").decode("ascii")  # школа.рф is a real site name too
    except UnicodeError:
        ascii_host = ""
    if not _HOST.match(ascii_host) or not re.search(r"[a-z]", ascii_host.rsplit(".", 1)[-1]):
        raise LinkError("Укажите ссылку на страницу сайта, например https://school.ru/docs/plan.pdf.")
    if parts.netloc.lower() != host:
        raise LinkError("Ссылка не должна содержать номер порта.")
    return urlunsplit((parts.scheme.lower(), host, parts.path, parts.query, parts.fragment))
