"""The words a case record is made of: event kinds and the values their enumerated fields take.

Defined once, here, because both the pathway loader (which checks what a pathway file names) and the
engine (which checks what a clinician records) need them, and the engine builds on the seeds.
"""

EVENT_KINDS = (
    "saline", "abi", "fat-graft", "injection", "pt-start", "biopsy", "aat-test", "workup",
    "therapy-start", "therapy-stop", "assessment", "mri", "note",
)
GUIDANCE = ("image", "landmark")
BIOPSY_DEPTHS = ("deep-excisional", "punch", "superficial")
IMPROVEMENT = ("none", "partial", "complete")
PROVENANCE_LEVELS = ("literature", "seed-summary", "clinic-policy")
SEVERITIES = ("critical", "warning", "info")  # most severe first
# The counts a pathway may ask to be shown with its cases (`counts = [...]` in its TOML).
COUNTED = ("saline", "abi", "injection")
