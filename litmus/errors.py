"""Diagnostics for bad input: one message naming file, line and column, with the line and a caret."""

from __future__ import annotations

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
        if self.span is None:
            return f"{where}: {self.message}"
        head = f"{where}:{self.span.line}:{self.span.column}: {self.message}"
        if self.source is None:
            return head
        lines = self.source.splitlines()
        if not 1 <= self.span.line <= len(lines):
            return head
        text = lines[self.span.line - 1].expandtabs(1)
        width = 1
        if self.span.end_line == self.span.line and self.span.end_column:
            width = max(1, self.span.end_column - self.span.column)
        caret = " " * (self.span.column - 1) + "^" * width
        return f"{head}\n    {text}\n    {caret}"

    def __str__(self) -> str:
        return self.render()


class NotMeaningful(Exception):
    """A test uses a primitive the chosen model gives no meaning to (RCU under a hardware model)."""

    def __init__(self, primitive: str, model: str) -> None:
        super().__init__(f"{primitive} is not meaningful under {model}")
        self.primitive = primitive
        self.model = model
