"""Errors the engine raises for input a clinician can correct."""


class ValidationError(ValueError):
    """Bad input: the message is one line saying what and why, safe to show as it is.

    `field` names the input at fault (e.g. "date", "volume_ml", "until") so that a form can show
    the reason beside it. The message never carries patient free text, so it is safe in logs.
    """

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class UnknownPathway(ValueError):
    """A case follows a pathway this database's catalogue does not define (a clinic's pathway file
    was removed, say). The case cannot be evaluated; everything else can."""

    def __init__(self, case_id: str, pathway: str):
        super().__init__(f"case {case_id} follows pathway '{pathway}', which this database does not define; "
                         "put its pathway file back in the database's pathways/ folder")
        self.case_id, self.pathway = case_id, pathway
