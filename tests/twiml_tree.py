"""TwiML as nested tuples, so tests compare whole documents exactly."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any


def twiml_tree(document: str) -> list[Any]:
    """(tag, attributes, text, children) for each element under <Response>."""

    def walk(element: ET.Element) -> tuple[str, dict[str, str], str, list[Any]]:
        return (element.tag, dict(element.attrib), (element.text or "").strip(),
                [walk(child) for child in element])

    root = ET.fromstring(document)
    assert root.tag == "Response"
    return [walk(child) for child in root]
