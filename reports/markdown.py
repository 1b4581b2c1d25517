"""Markdown prose of a page to HTML (markdown-it-py), with links checked.

Raw HTML in the prose is escaped, never rendered (`html: False`): only component
tags make markup. Links must be relative links to other pages (`../topics/index.md`,
`guide.md`, `#anchor`) or http(s) URLs; anything else, or a page that does not
exist, fails the build with the file and line. Headings get ids for anchors.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from collections.abc import Callable
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markupsafe import Markup

from reports.authoring import TOKEN_RE, Body, PageSource


def slug(text: str, limit: int = 60) -> str:
    """ASCII slug: 'Top-line results' -> 'top-line-results'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:limit].strip("-")


def relative_url(target: str, current: str) -> str:
    """URL of site path `target` from the page at site path `current` (both posix)."""
    start = posixpath.dirname(current) or "."
    return posixpath.relpath(target, start)


Resolver = Callable[[str], str | None]  # source route -> output path, or None


class Renderer:
    def __init__(self) -> None:
        self.md = MarkdownIt("commonmark", {"html": False, "linkify": False,
                                            "typographer": False})
        self.md.enable(["table", "strikethrough"])
        # Let our own check decide: markdown-it would silently drop some links.
        self.md.validateLink = lambda url: True

    def render(self, body: Body, page: PageSource, source_route: str, out_path: str,
               resolve: Resolver, components: dict[int, Markup], inline: set[int],
               heading_ids: dict[str, int] | None = None) -> Markup:
        """HTML of the body; components[index] is the HTML of each component token."""
        tokens = self.md.parse(body.markdown)
        ids = heading_ids if heading_ids is not None else {}
        for i, token in enumerate(tokens):
            line = body.first_line + (token.map[0] if token.map else 0)
            if token.type == "heading_open" and i + 1 < len(tokens):
                text = TOKEN_RE.sub("", tokens[i + 1].content)
                base = slug(text) or "section"
                n = ids.get(base, 0)
                ids[base] = n + 1
                token.attrSet("id", base if n == 0 else f"{base}-{n + 1}")
            for child in [token, *(token.children or [])]:
                if child.type == "link_open":
                    href = str(child.attrGet("href") or "")
                    new, external = self._link(href, page, line, source_route, out_path, resolve)
                    child.attrSet("href", new)
                    if external:
                        child.attrSet("rel", "noopener noreferrer nofollow")
                        child.attrSet("target", "_blank")
                elif child.type == "image":
                    raise page.error(line, "images are not supported in pages (the site "
                                           "loads nothing but its own files)")
        html = self.md.renderer.render(tokens, self.md.options, {})
        return Markup(_substitute(html, components, inline))

    def _link(self, href: str, page: PageSource, line: int, source_route: str,
              out_path: str, resolve: Resolver) -> tuple[str, bool]:
        if href.startswith("#"):
            return href, False
        parts = urlsplit(href)
        if parts.scheme:
            if parts.scheme.lower() in ("http", "https") and parts.netloc and not any(
                    ord(ch) < 33 for ch in href):
                return href, True
            raise page.error(line, f"link {href!r}: only http(s) links and relative links "
                                   "to pages are allowed")
        if parts.netloc or href.startswith("/"):
            raise page.error(line, f"link {href!r}: use a relative link (the site must work "
                                   "under any base path)")
        base = posixpath.dirname(source_route)
        path = posixpath.normpath(posixpath.join(base, parts.path)) if parts.path else \
            source_route
        if path.startswith(".."):
            raise page.error(line, f"link {href!r} points outside the site")
        target = None
        candidates = [path]
        if path.endswith((".md", ".html")):
            candidates = [path.rsplit(".", 1)[0]]
        else:
            candidates = [path, posixpath.join(path, "index")]
        for candidate in candidates:
            target = resolve(candidate.removeprefix("./"))
            if target:
                break
        if not target:
            raise page.error(line, f"broken link {href!r}: no page {path}.md")
        url = relative_url(target, out_path)
        return url + (f"#{parts.fragment}" if parts.fragment else ""), False


def _substitute(html: str, components: dict[int, Markup], inline: set[int]) -> str:
    """Put component HTML in place of the tokens markdown-it left in paragraphs."""

    def block(match: re.Match) -> str:
        return str(components.get(int(match.group(1)), ""))

    def any_token(match: re.Match) -> str:
        index = int(match.group(1))
        text = str(components.get(index, ""))
        # A block component that shared a paragraph with text: close and reopen it.
        return text if index in inline else f"</p>{text}<p>"

    html = re.sub(r"<p>\s*RPTCMP(\d{4})X\s*</p>", block, html)
    html = TOKEN_RE.sub(any_token, html)
    return re.sub(r"<p>\s*</p>\n?", "", html)
