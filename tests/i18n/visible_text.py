"""The visible text of a rendered page, and what of it is names and data rather than words
of the interface."""

import re
from html.parser import HTMLParser

# Elements whose content is not shown as text.
HIDDEN_ELEMENTS = {"script", "style", "template", "svg", "noscript"}
# Attributes a user sees or hears (tooltips, labels read by screen readers, placeholders).
VISIBLE_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt"}
VOID_ELEMENTS = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}  # fmt: skip


class _TextParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._stack: list[bool] = []  # per open element: is its content hidden?

    def _hidden(self) -> bool:
        return bool(self._stack) and self._stack[-1]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        silent = self._hidden() or tag in HIDDEN_ELEMENTS or attrs.get("aria-hidden") == "true"
        # Material icon ligatures ("menu", "add") are drawn as icons, not read as words; the
        # element's label still is.
        hidden = silent or "material-icons" in (attrs.get("class") or "")
        if not silent:
            for name in VISIBLE_ATTRIBUTES:
                if attrs.get(name):
                    self.texts.append(attrs[name])
            if tag == "input" and attrs.get("type") in {"submit", "button"} and attrs.get("value"):
                self.texts.append(attrs["value"])
        if tag not in VOID_ELEMENTS:
            self._stack.append(hidden)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID_ELEMENTS:
            self._stack.pop()

    def handle_endtag(self, tag):
        if tag not in VOID_ELEMENTS and self._stack:
            self._stack.pop()

    def handle_data(self, data):
        if not self._hidden():
            self.texts.append(data)


def visible_texts(html: str) -> set[str]:
    """Each piece of visible text of the page, whitespace collapsed."""
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    return {" ".join(text.split()) for text in parser.texts if text.strip()}


# Values that are data whatever the language: references, codes, e-mail and web addresses,
# numbers, dates, SHA-256 digests, file names.
DATA_PATTERNS = [
    r"[A-Z]{2,5}-\d{4}-\d{3,}",
    r"[\w.+-]+@[\w-]+(\.[\w-]+)+",
    r"https?://\S+",
    r"(www\.)?[\w-]+(\.[\w-]+)*\.(fi|org|com|net)\b\S*",
    r"\b[0-9a-f]{12,64}\b",
    r"\b[\w-]+\.(docx|pdf|csv|json|png|jpe?g|xlsx|txt)\b",
]


def leftover_words(text: str, data_values: list[str]) -> str:
    """What is left of `text` once every data value and data pattern is taken out, keeping
    only words of three letters or more (so 'Oy', units and stray initials do not count)."""
    for value in data_values:
        if value and value in text:
            text = text.replace(value, " ")
    for pattern in DATA_PATTERNS:
        text = re.sub(pattern, " ", text)
    return " ".join(re.findall(r"[^\W\d_]{3,}", text))
