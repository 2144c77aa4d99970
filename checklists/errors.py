"""Errors the engine raises for input a clinician can correct."""


class ValidationError(ValueError):
    """Bad input: the message is one line saying what and why, safe to show as it is.

    `field` names the input at fault (e.g. "date", "volume_ml", "until") so that a form can show
    the reason beside it. The message never carries patient free text, so it is safe in logs.
    """

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field
