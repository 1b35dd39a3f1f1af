"""Diagnostics for bad input: one message naming file, line and column, with the line and a caret."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    """A place in a source file; lines and columns are 1-based."""

    line: int
    column: int
    end_line: int | None = None
    end_column: int | None = None


NOSPAN = Span(0, 0)  # for nodes built by hand (tests, generators): no place in a file


class LitmusError(Exception):
    """Bad input (litmus file, cat model, scenario, command line): reported without a traceback."""

    def __init__(
        self,
        message: str,
        path: str | None = None,
        span: Span | None = None,
        source: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.span = span
        self.source = source

    def located(self, path: str | None, source: str | None) -> "LitmusError":
        """Fill in the file when the raiser only knew the position."""
        if self.path is None:
            self.path = path
        if self.source is None:
            self.source = source
        return self

    def render(self) -> str:
        """`file:line:col: message`, then the offending line and a caret under the column."""
        where = self.path or "<input>"
        message = _printable(self.message, lambda c: repr(c)[1:-1])
        if self.span is None:
            return f"{where}: {message}"
        head = f"{where}:{self.span.line}:{self.span.column}: {message}"
        if self.source is None:
            return head
        lines = self.source.split("\n")  # lines as the parsers count them (not at \x1c, \u2028 ...)
        if lines[-1] == "":  # after the last newline: no line there
            lines.pop()
        if not 1 <= self.span.line <= len(lines):
            return head
        text = _printable(lines[self.span.line - 1].expandtabs(1), lambda c: "?")  # one column each
        width = 1
        if self.span.end_line == self.span.line and self.span.end_column:
            width = max(1, self.span.end_column - self.span.column)
        caret = " " * (self.span.column - 1) + "^" * width
        return f"{head}\n    {text}\n    {caret}"

    def __str__(self) -> str:
        return self.render()


def _printable(text: str, shown: Callable[[str], str]) -> str:
    """`text` with each unprintable character (a control byte, a line separator) as `shown`
    gives it: a message stays one line on a terminal."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else shown(c) for c in text)


# Deeper than this, a test or model is refused: the passes after parsing (lowering, printing,
# the cat interpreter) recurse once per level, and no real test or model comes near it.
MAX_NESTING = 200


def too_deep(root: object, children: Callable[[object], Iterable[object]], limit: int = MAX_NESTING) -> list[object]:
    """The chain from `root` down to the first node more than `limit` levels deep, or [] when
    there is none; walked without recursion, since it guards the passes that recurse."""
    parent: dict[int, object] = {}
    stack: list[tuple[object, int]] = [(root, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            chain = [node]
            while id(chain[-1]) in parent and len(chain) <= limit + 1:  # shared nodes: stay bounded
                chain.append(parent[id(chain[-1])])
            return chain[::-1]
        for child in children(node):
            parent[id(child)] = node
            stack.append((child, depth + 1))
    return []


class NotMeaningful(Exception):
    """A test uses a primitive the chosen model gives no meaning to (RCU under a hardware model)."""

    def __init__(self, primitive: str, model: str) -> None:
        super().__init__(f"{primitive} is not meaningful under {model}")
        self.primitive = primitive
        self.model = model
