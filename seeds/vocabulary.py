"""The words a case record is made of: event kinds and the values their enumerated fields take.

Defined once, here, because both the pathway loader (which checks what a pathway file names) and the
engine (which checks what a clinician records) need them, and the engine builds on the seeds.
"""

EVENT_KINDS = (
    "saline", "abi", "fat-graft", "injection", "pt-start", "biopsy", "aat-test", "workup",
    "therapy-start", "therapy-dose", "therapy-stop", "assessment", "mri", "note",
)
# Optional detail fields an event may carry, in the order they are shown.
EVENT_FIELDS = (
    "volume_ml", "site", "what", "guidance", "drug", "dose", "depth", "result", "improvement",
    "size_mm", "depth_mm", "pigment", "photo", "mrc", "pain", "tendon", "joint", "note",
)
# What an assessment can record, lesion first (the order the assessment form asks when nothing else says).
ASSESSMENT_FIELDS = ("size_mm", "depth_mm", "pigment", "photo", "improvement", "mrc", "pain", "tendon", "joint")
GUIDANCE = ("image", "landmark")
BIOPSY_DEPTHS = ("deep-excisional", "punch", "superficial")
IMPROVEMENT = ("none", "partial", "complete")
# At a hip check: the tendons (`worse`: new or worse pain, or new tendon weakness) and the joint.
TENDON = ("none", "pain", "worse", "rupture")
JOINT = ("stable", "worse")
PROVENANCE_LEVELS = ("literature", "seed-summary", "clinic-policy")
SEVERITIES = ("critical", "warning", "info")  # most severe first
# The counts a pathway may ask to be shown with its cases (`counts = [...]` in its TOML).
COUNTED = ("saline", "abi", "fat-graft", "injection")
# What a late presentation means for an item (`kind` in its TOML): a time-point item (a review or a
# check at a set time) whose window closed before enrolment is missed; an action item (a test, a
# referral, a treatment step) whose window closed before enrolment opens at enrolment instead.
ITEM_KINDS = ("action", "time-point")
# What a drug is given for (seeds/drugs.toml); glucocorticoid courses for flares are exempt from the
# year of maintenance therapy.
DRUG_ROLES = (
    "maintenance", "induction", "glucocorticoid", "augmentation", "injected-steroid", "local-anaesthetic",
)
