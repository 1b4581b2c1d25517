"""Parse a report page: YAML front matter, named SQL blocks and component tags in Markdown.

A page file is YAML front matter, Markdown, named SQL blocks (```` ```sql NAME ````)
and component tags that show a query's result (`<BarChart data="NAME" x=… y=…/>`);
docs/report.md has a worked example.

Tag grammar (a small subset of HTML/JSX, checked strictly)::

    tag   := "<" Name (space attr)* space? ("/>" | ">")
    attr  := name ("=" ('"' text '"' | "'" text "'"))?     a bare name means "true"
    close := "</" Name ">"                                   alone on its line
    Name  := [A-Z][A-Za-z0-9]*      name := [a-z_][a-z0-9_-]*

A tag at the start of a line is a block component (it may span lines); a tag with
a body (`<Grid>` ... `</Grid>`) is a container whose body is Markdown again. A
self-closing tag inside a line of text is an inline component (`<Value/>`).
Tags inside fenced code or inline code are text. Every error names the file and line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from reports.errors import ReportError

QUERY_NAME = re.compile(r"[a-z_][a-z0-9_]*\Z")
_TAG_NAME = re.compile(r"[A-Z][A-Za-z0-9]*")
_ATTR_NAME = re.compile(r"[a-z_][a-z0-9_-]*")
_FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})\s*([^`]*)$")
_TOKEN = "RPTCMP{:04d}X"
TOKEN_RE = re.compile(r"RPTCMP(\d{4})X")


class PageError(ReportError):
    """A page cannot be built: the message starts with `file:line:`."""

    def __init__(self, path: Path | str, line: int | None, message: str) -> None:
        self.path, self.line, self.detail = str(path), line, message
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class QueryDef:
    """A named SQL block of a page."""

    name: str
    sql: str
    line: int  # line of the opening fence in the page file


@dataclass
class Component:
    """A component tag: its name, attributes, line, body (containers) and token."""

    name: str
    attrs: dict[str, str]
    line: int
    index: int
    inline: bool = False
    body: Body | None = None

    @property
    def token(self) -> str:
        return _TOKEN.format(self.index)


@dataclass
class Body:
    """Markdown in which each component is replaced by its token."""

    markdown: str
    first_line: int  # file line of the markdown's first line
    components: list[Component] = field(default_factory=list)

    def walk(self):
        """Every component of the body, containers before their children."""
        for component in self.components:
            yield component
            if component.body is not None:
                yield from component.body.walk()


@dataclass
class PageSource:
    """A parsed page file."""

    path: Path
    front: dict[str, Any]
    queries: dict[str, QueryDef]
    body: Body

    def error(self, line: int | None, message: str) -> PageError:
        return PageError(display_path(self.path), line, message)


def display_path(path: Path) -> str:
    """The path relative to the working directory when it is below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


# -- tags ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Tag:
    name: str
    attrs: dict[str, str]
    end: int  # offset just after the tag
    self_closing: bool


class TagSyntaxError(Exception):
    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


def parse_tag(text: str, pos: int) -> Tag:
    """Parse one opening or self-closing tag starting at text[pos] == '<'."""
    if text[pos] != "<":
        raise TagSyntaxError("expected '<'", pos)
    match = _TAG_NAME.match(text, pos + 1)
    if not match:
        raise TagSyntaxError("a component name starts with a capital letter", pos)
    name, i = match.group(), match.end()
    attrs: dict[str, str] = {}
    while True:
        start = i
        while i < len(text) and text[i] in " \t\r\n":
            i += 1
        if i >= len(text):
            raise TagSyntaxError(f"<{name}> is not closed with '/>' or '>'", pos)
        if text.startswith("/>", i):
            return Tag(name, attrs, i + 2, True)
        if text[i] == ">":
            return Tag(name, attrs, i + 1, False)
        if i == start:
            raise TagSyntaxError(f"expected a space before attribute in <{name}>", i)
        attr = _ATTR_NAME.match(text, i)
        if not attr:
            raise TagSyntaxError(
                f"bad attribute in <{name}> near {text[i:i + 12]!r} "
                "(attribute names are lower-case: data=\"...\")", i)
        key, i = attr.group(), attr.end()
        if key in attrs:
            raise TagSyntaxError(f"attribute {key!r} is given twice in <{name}>", attr.start())
        j = i
        while j < len(text) and text[j] in " \t":
            j += 1
        if j < len(text) and text[j] == "=":
            j += 1
            while j < len(text) and text[j] in " \t":
                j += 1
            if j >= len(text) or text[j] not in "\"'":
                raise TagSyntaxError(f"the value of {key!r} in <{name}> must be quoted", j)
            quote = text[j]
            close = text.find(quote, j + 1)
            if close < 0:
                raise TagSyntaxError(f"unterminated value of {key!r} in <{name}>", j)
            attrs[key] = text[j + 1:close]
            i = close + 1
        else:
            attrs[key] = "true"


def _code_spans(line: str) -> list[tuple[int, int]]:
    """Offsets of inline code spans (`...`) in a line, where tags are text."""
    spans, i = [], 0
    while True:
        start = line.find("`", i)
        if start < 0:
            return spans
        run = len(line[start:]) - len(line[start:].lstrip("`"))
        end = line.find("`" * run, start + run)
        if end < 0:
            return spans
        spans.append((start, end + run))
        i = end + run


def _inline_tag_starts(line: str) -> list[int]:
    spans = _code_spans(line)
    return [m.start() for m in re.finditer(r"<[A-Z]", line)
            if not any(a <= m.start() < b for a, b in spans)]


# -- page ----------------------------------------------------------------------------


class _Parser:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.shown = display_path(path)
        self.queries: dict[str, QueryDef] = {}
        self.count = 0

    def error(self, line: int, message: str) -> PageError:
        return PageError(self.shown, line, message)

    def next_index(self) -> int:
        self.count += 1
        return self.count

    def body(self, lines: list[str], first_line: int) -> Body:
        """Parse lines (file lines first_line...) into Markdown with component tokens."""
        out: list[str] = []
        components: list[Component] = []
        i = 0
        while i < len(lines):
            line = lines[i]
            number = first_line + i
            fence = _FENCE.match(line)
            if fence:
                i = self._fence(lines, i, first_line, fence, out)
                continue
            stripped = line.lstrip()
            if stripped.startswith("</") and _TAG_NAME.match(stripped, 2):
                raise self.error(number, f"closing tag {stripped.split('>')[0]}> without an "
                                         "opening tag")
            if stripped.startswith("<") and _TAG_NAME.match(stripped, 1):
                text = "\n".join(lines[i:])
                offset = len(line) - len(stripped)
                try:
                    tag = parse_tag(text, offset)
                except TagSyntaxError as exc:
                    raise self.error(number + text.count("\n", 0, exc.offset), str(exc)) from None
                end_line = i + text.count("\n", 0, tag.end)
                rest = text[tag.end:].split("\n", 1)[0]
                if tag.self_closing and rest.strip() and end_line == i:
                    # A self-closing tag followed by text: an inline component in a paragraph.
                    out.append(self._inline(line, number, components))
                    i += 1
                    continue
                if rest.strip():
                    raise self.error(first_line + end_line,
                                     f"text after <{tag.name}> on the same line: put the "
                                     "component on its own line")
                component = Component(tag.name, tag.attrs, number, self.next_index())
                if tag.self_closing:
                    consumed = end_line - i + 1
                else:
                    close = self._find_close(lines, end_line + 1, tag.name, number)
                    component.body = self.body(lines[end_line + 1:close], first_line + end_line + 1)
                    consumed = close - i + 1
                components.append(component)
                out.append(component.token)
                out.extend([""] * (consumed - 1))  # keep line numbers of what follows
                i += consumed
                continue
            out.append(self._inline(line, number, components) if "<" in line else line)
            i += 1
        return Body("\n".join(out), first_line, components)

    def _inline(self, line: str, number: int, components: list[Component]) -> str:
        starts = _inline_tag_starts(line)
        if not starts:
            return line
        pieces, last = [], 0
        for start in starts:
            if start < last:
                continue
            try:
                tag = parse_tag(line, start)
            except TagSyntaxError as exc:
                raise self.error(number, str(exc)) from None
            if not tag.self_closing:
                raise self.error(number, f"<{tag.name}> inside a line of text must be "
                                         f"self-closing (<{tag.name} .../>)")
            component = Component(tag.name, tag.attrs, number, self.next_index(), inline=True)
            components.append(component)
            pieces += [line[last:start], component.token]
            last = tag.end
        pieces.append(line[last:])
        return "".join(pieces)

    def _find_close(self, lines: list[str], start: int, name: str, opened: int) -> int:
        depth = 0
        in_fence: str | None = None
        for j in range(start, len(lines)):
            stripped = lines[j].strip()
            fence = _FENCE.match(lines[j])
            if fence:
                marker = fence.group(2)
                if in_fence is None:
                    in_fence = marker
                elif marker.startswith(in_fence[0]) and len(marker) >= len(in_fence) \
                        and not fence.group(3).strip():
                    in_fence = None
                continue
            if in_fence:
                continue
            if stripped == f"</{name}>":
                if depth == 0:
                    return j
                depth -= 1
            elif re.match(rf"<{name}(\s|>|$)", stripped) and not stripped.endswith("/>"):
                depth += 1
        raise self.error(opened, f"<{name}> is never closed (expected </{name}> on its own line)")

    def _fence(self, lines: list[str], i: int, first_line: int, fence: re.Match,
               out: list[str]) -> int:
        marker, info = fence.group(2), fence.group(3).strip()
        number = first_line + i
        close = None
        for j in range(i + 1, len(lines)):
            m = _FENCE.match(lines[j])
            if m and m.group(2)[0] == marker[0] and len(m.group(2)) >= len(marker) \
                    and not m.group(3).strip():
                close = j
                break
        if close is None:
            raise self.error(number, f"code block opened with {marker} is never closed")
        words = info.split()
        if words and words[0].lower() == "sql":
            if len(words) != 2 or not QUERY_NAME.match(words[1]):
                raise self.error(number, "a SQL block needs one lower-case name: ```sql my_query")
            name = words[1]
            if name in self.queries:
                raise self.error(number, f"query {name!r} is defined twice (first on line "
                                         f"{self.queries[name].line})")
            self.queries[name] = QueryDef(name, "\n".join(lines[i + 1:close]), number)
            out.extend([""] * (close - i + 1))  # queries are not shown on the page
        else:
            out.extend(lines[i:close + 1])
        return close + 1


def split_front_matter(text: str, path: Path) -> tuple[dict[str, Any], list[str], int]:
    """(front matter, body lines, file line of the first body line)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return {}, lines, 1
    for end in range(1, len(lines)):
        if lines[end].strip() == "---":
            break
    else:
        raise PageError(display_path(path), 1, "front matter opened with --- is never closed")
    try:
        front = yaml.safe_load("\n".join(lines[1:end])) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = 2 + mark.line if mark is not None else 1
        raise PageError(display_path(path), line, f"front matter is not valid YAML: "
                        f"{getattr(exc, 'problem', exc)}") from None
    if not isinstance(front, dict):
        raise PageError(display_path(path), 1, "front matter must be a mapping (key: value)")
    return front, lines[end + 1:], end + 2


def parse_page(path: Path, text: str | None = None) -> PageSource:
    """Parse a page file; raise PageError (file:line: message) on any syntax error."""
    if text is None:
        text = path.read_text(encoding="utf-8")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    front, lines, first = split_front_matter(text, path)
    parser = _Parser(path)
    body = parser.body(lines, first)
    return PageSource(path, front, parser.queries, body)


def query_refs(sql: str) -> list[str]:
    """Names of the queries an SQL text refers to with ${name}, in order."""
    return re.findall(r"\$\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}", sql)
