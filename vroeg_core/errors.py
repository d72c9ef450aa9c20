"""Input problems that name the file, the column and example rows."""
from __future__ import annotations

from dataclasses import dataclass
import pandas as pd


@dataclass
class Problem:
    """One thing wrong with one input."""

    file: str
    column: str | None
    message: str
    examples: str = ""

    def __str__(self) -> str:
        col = f", column '{self.column}'" if self.column else ""
        ex = f"\n    examples:\n{self.examples}" if self.examples else ""
        return f"{self.file}{col}: {self.message}{ex}"


class InputError(ValueError):
    """Raised when an input file does not meet its source's contract. Carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def example_rows(df: pd.DataFrame, mask, n: int = 3) -> str:
    """Render up to ``n`` offending rows (with their row numbers in the file) for an error message."""
    bad = df.loc[mask] if mask is not None else df
    if len(bad) == 0:
        return ""
    text = bad.head(n).to_string(max_colwidth=40)
    more = f"\n      ... {len(bad) - n} more rows" if len(bad) > n else ""
    return "\n".join("      " + line for line in text.splitlines()) + more
