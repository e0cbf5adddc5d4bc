"""Trello's Markdown to HTML and back, for card descriptions and comments.

Trello stores Markdown; Odoo shows HTML. The subset handled is what Trello's editor
writes: headings, paragraphs (a single newline is a line break), bold, italic,
strike-through, inline code and fenced code blocks, links (with a title, as the editor
writes ``[text](url "title")``, and formatted text), bullet and numbered lists
(nested by indentation), block quotes and rules. Anything else stays readable text.
The two directions round-trip: converting the HTML this module writes back to
Markdown and again to HTML gives the same HTML, so an export never rewrites a card
description that was not edited.
"""

import html
import re
from html.parser import HTMLParser

_FENCE = re.compile(r"^\s*```")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_RULE = re.compile(r"^\s*(?:(?:\*\s*){3,}|(?:-\s*){3,}|(?:_\s*){3,})$")
_QUOTE = re.compile(r"^\s*>\s?")
_ITEM = re.compile(r"^(\s*)([-*+]|\d+[.)])\s+(.*)$")
_SAFE_URL = re.compile(r"^(?:https?://|mailto:)", re.IGNORECASE)

# Inline patterns, applied to HTML-escaped text. Code spans and escapes are set aside first.
_ESCAPE = re.compile(r"\\([\\`*_~\[\]()#>+\-.!|])")
_CODE = re.compile(r"`([^`]+)`")
_LINK = re.compile(r'\[((?:\\.|[^\]\\])*)\]\(([^)\s]+)(?:\s+"((?:\\.|[^"\\])*)")?\)')
_TITLE_ESCAPE = re.compile(r'\\(["\\])')
_AUTOLINK = re.compile(r"(?<![\w\"'=/])(https?://[^\s<]+[^\s<.,;:!?)\]'\"])")
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*|__(?=\S)(.+?)(?<=\S)__")
_ITALIC = re.compile(r"\*(?=\S)(.+?)(?<=\S)\*|(?<![\w])_(?=\S)(.+?)(?<=\S)_(?![\w])")
_STRIKE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")
_PLACEHOLDER = "\x00{}\x00"
_PLACEHOLDERS = re.compile("\x00(\\d+)\x00")


def markdown_to_html(text):
    """HTML of Trello Markdown; an empty text gives an empty string."""
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "".join(_blocks(lines))


def _blocks(lines):
    index = 0
    paragraph = []

    def flush():
        if paragraph:
            yield "<p>" + "<br>".join(_inline(line.strip()) for line in paragraph) + "</p>"
            paragraph.clear()

    while index < len(lines):
        line = lines[index]
        if not line.strip():
            yield from flush()
            index += 1
        elif _FENCE.match(line):
            yield from flush()
            end = index + 1
            while end < len(lines) and not _FENCE.match(lines[end]):
                end += 1
            code = "\n".join(lines[index + 1 : end])
            yield f"<pre><code>{html.escape(code, quote=False)}</code></pre>"
            index = end + 1
        elif heading := _HEADING.match(line):
            yield from flush()
            level = len(heading.group(1))
            yield f"<h{level}>{_inline(heading.group(2))}</h{level}>"
            index += 1
        elif _RULE.match(line):
            yield from flush()
            yield "<hr>"
            index += 1
        elif _QUOTE.match(line):
            yield from flush()
            end = index
            while end < len(lines) and _QUOTE.match(lines[end]):
                end += 1
            inner = [_QUOTE.sub("", quoted, count=1) for quoted in lines[index:end]]
            yield "<blockquote>" + "".join(_blocks(inner)) + "</blockquote>"
            index = end
        elif _ITEM.match(line):
            yield from flush()
            end = index
            while (
                end < len(lines) and lines[end].strip() and (_ITEM.match(lines[end]) or lines[end][:1] == " ")
            ):
                end += 1
            yield _list(lines[index:end])
            index = end
        else:
            paragraph.append(line)
            index += 1
    yield from flush()


def _list(lines):
    """A list and the lists nested in it (items indented deeper than the first one)."""
    first = _ITEM.match(lines[0])
    indent = len(first.group(1))
    tag = "ol" if first.group(2)[0].isdigit() else "ul"
    items = []  # [text, nested lines]
    for line in lines:
        item = _ITEM.match(line)
        if item and len(item.group(1)) <= indent:
            items.append([item.group(3), []])
        elif items:
            items[-1][1].append(line)
    parts = []
    for text, nested in items:
        inner = _inline(text.strip())
        if nested and _ITEM.match(nested[0]):
            inner += _list(nested)
        elif nested:
            inner += "<br>" + "<br>".join(_inline(line.strip()) for line in nested)
        parts.append(f"<li>{inner}</li>")
    return f"<{tag}>{''.join(parts)}</{tag}>"


def _inline(text):
    kept = []

    def keep(markup):
        kept.append(markup)
        return _PLACEHOLDER.format(len(kept) - 1)

    text = _ESCAPE.sub(lambda match: keep(html.escape(match.group(1))), text)
    text = _CODE.sub(lambda match: keep(f"<code>{html.escape(match.group(1), quote=False)}</code>"), text)

    def link(match):
        label, url, title = match.groups()
        if not _SAFE_URL.match(url):
            return keep(html.escape(match.group(0), quote=False))
        if title is not None:
            title = _TITLE_ESCAPE.sub(r"\1", title)
        return keep(_anchor(url, _emphasis(html.escape(label, quote=False)), title))

    text = _LINK.sub(link, text)
    text = _AUTOLINK.sub(lambda match: keep(_anchor(match.group(1), html.escape(match.group(1)))), text)
    text = _emphasis(html.escape(text, quote=False))
    # A link's text may hold escapes and code set aside before it: resolve until none is left.
    while _PLACEHOLDERS.search(text):
        text = _PLACEHOLDERS.sub(lambda match: kept[int(match.group(1))], text)
    return text


def _anchor(url, label_markup, title=None):
    """A link; ``title`` None writes no title, "" an empty one (Trello's editor writes both)."""
    title_attribute = "" if title is None else f' title="{html.escape(title)}"'
    return f'<a href="{html.escape(url)}"{title_attribute}>{label_markup}</a>'


def _emphasis(text):
    text = _BOLD.sub(lambda match: f"<strong>{match.group(1) or match.group(2)}</strong>", text)
    text = _STRIKE.sub(lambda match: f"<s>{match.group(1)}</s>", text)
    return _ITALIC.sub(lambda match: f"<em>{match.group(1) or match.group(2)}</em>", text)


# ---------------------------------------------------------------------- HTML to Markdown
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_~\[\]])")
# Text that would start a heading, quote or list item when it opens a line.
_LINE_START_MARK = re.compile(r"^(\s*)([#>+-])(?=\s)")
_LINE_START_NUMBER = re.compile(r"^(\s*)(\d+)([.)])(?=\s)")
_EMPHASIS = {"strong": "**", "b": "**", "em": "*", "i": "*", "s": "~~", "del": "~~", "strike": "~~"}
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_CONTAINERS = ("ul", "ol", "li", "blockquote")
_BLOCKS = frozenset({"p", "div", *_HEADINGS, "pre", "hr", "table", "tr", *_CONTAINERS})
_HIDDEN = frozenset({"script", "style", "head", "title", "template"})
_LINK_START = "\x01"  # marks where the text of an open link starts


class _MarkdownWriter(HTMLParser):
    """Walks Odoo's HTML and writes the Markdown :func:`markdown_to_html` reads back.

    Blocks are collected per open container (list, list item, quote) so they nest.
    """

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.containers = [("root", [])]  # (tag, finished blocks)
        self.inline = []  # pieces of the paragraph being written
        self.links = []  # targets of the open <a> tags
        self.heading = 0
        self.code = 0
        self.pre = 0
        self.hidden = 0

    @property
    def blocks(self):
        return self.containers[-1][1]

    def _flush(self):
        text = "".join(self.inline).strip()
        self.inline = []
        if not text:
            return
        if self.heading:
            text = f"{'#' * self.heading} {text.replace(chr(10), ' ')}"
        self.blocks.append(text)

    def handle_starttag(self, tag, attrs):
        if tag in _HIDDEN:
            self.hidden += 1
        elif self.hidden:
            return
        elif self.pre:
            return  # markup inside a code block is not Markdown
        elif tag == "br":
            self.inline.append("\n")
        elif tag in _EMPHASIS:
            self.inline.append(_EMPHASIS[tag])
        elif tag == "code":
            self.code += 1
            self.inline.append("`")
        elif tag == "a":
            self.inline.append(_LINK_START)
            self.links.append((dict(attrs).get("href") or "", dict(attrs).get("title")))
        elif tag in _BLOCKS:
            self._flush()
            if tag in _CONTAINERS:
                self.containers.append((tag, []))
            elif tag in _HEADINGS:
                self.heading = int(tag[1])
            elif tag == "pre":
                self.pre += 1
            elif tag == "hr":
                self.blocks.append("---")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in ("br", "hr"):
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in _HIDDEN:
            self.hidden = max(self.hidden - 1, 0)
        elif self.hidden:
            return
        elif tag == "pre" and self.pre:
            self.pre -= 1
            code = "".join(self.inline).strip("\n")
            self.inline = []
            self.blocks.append(f"```\n{code}\n```")
        elif self.pre:
            return
        elif tag in _EMPHASIS:
            self.inline.append(_EMPHASIS[tag])
        elif tag == "code" and self.code:
            self.code -= 1
            self.inline.append("`")
        elif tag == "a":
            self._close_link()
        elif tag in _BLOCKS:
            self._flush()
            if tag in _HEADINGS:
                self.heading = 0
            elif tag in _CONTAINERS and self.containers[-1][0] == tag:
                _tag, blocks = self.containers.pop()
                self._close_container(tag, blocks)

    def _close_link(self):
        if not self.links or _LINK_START not in self.inline:
            return
        href, title = self.links.pop()
        start = len(self.inline) - 1 - self.inline[::-1].index(_LINK_START)
        label = "".join(self.inline[start + 1 :])
        del self.inline[start:]
        if not _SAFE_URL.match(href):
            self.inline.append(label)
        elif title is None and label.replace("\\", "") == href:
            self.inline.append(href)  # written bare, it comes back as an autolink
        elif title is None:
            self.inline.append(f"[{label}]({href})")
        else:
            # The title as Trello's editor wrote it (smartCard-inline, or empty), quotes escaped.
            escaped = title.replace("\\", "\\\\").replace('"', '\\"')
            self.inline.append(f'[{label}]({href} "{escaped}")')

    def _close_container(self, tag, blocks):
        if tag == "li":
            self.blocks.append(("li", "\n".join(blocks)))
        elif tag in ("ul", "ol"):
            lines = []
            for number, block in enumerate(blocks, start=1):
                text = block[1] if isinstance(block, tuple) else block
                first, *rest = text.split("\n")
                lines.append(f"{number}. {first}" if tag == "ol" else f"- {first}")
                # Continuation lines (nested lists included) are indented under their item.
                lines += [f"   {line}" if line else line for line in rest]
            self.blocks.append("\n".join(lines))
        else:
            text = "\n\n".join(block for block in blocks if isinstance(block, str))
            self.blocks.append("\n".join(f"> {line}" if line else ">" for line in text.split("\n")))

    def handle_data(self, data):
        if self.hidden:
            return
        if self.pre or self.code:
            self.inline.append(data)
            return
        text = _MARKDOWN_SPECIAL.sub(r"\\\1", re.sub(r"\s+", " ", data))
        written = "".join(self.inline)
        if not written.strip() or written.endswith("\n"):
            text = _LINE_START_MARK.sub(r"\1\\\2", text.lstrip())
            text = _LINE_START_NUMBER.sub(r"\1\2\\\3", text)
        self.inline.append(text)

    def markdown(self):
        self._flush()
        while len(self.containers) > 1:
            tag, blocks = self.containers.pop()
            self._close_container(tag, blocks)
        blocks = [block[1] if isinstance(block, tuple) else block for block in self.blocks]
        return "\n\n".join(block.strip("\n") for block in blocks if block.strip())


def html_to_markdown(markup):
    """Trello Markdown of an HTML fragment (what Odoo's editor holds)."""
    if not markup:
        return ""
    writer = _MarkdownWriter()
    writer.feed(str(markup))
    writer.close()
    return re.sub(r"[ \t]+\n", "\n", writer.markdown()).strip()
