from __future__ import annotations


class DataValidationError(ValueError):
    """A data file broke a rule. The message is French and names file, row and reason."""

    def __init__(self, file: str, reason: str, row: int | None = None):
        self.file, self.row, self.reason = file, row, reason
        where = f"{file}, ligne {row}" if row is not None else file
        super().__init__(f"{where} : {reason}")
