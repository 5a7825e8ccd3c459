"""Text that XML can carry: XML 1.0 forbids some characters even escaped (python-docx refuses them, WeasyPrint's
and the SVG charts' parsers drop or choke on them), so user and registry text is cleaned before it is written."""
import re

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def xml_safe(value) -> str:
    """`value` as a string without the characters XML cannot hold; None becomes ""."""
    return _XML_INVALID.sub("", "" if value is None else str(value))
