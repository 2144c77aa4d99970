"""The modal forms through which clinicians change a case or the clinic policy (one form per module).

Each form validates as you type with a dry run of the pure engine action, writes through the
repository in a thread worker only when accepted, and dismisses with True (the new case id for
`NewCaseForm`) once written, or None when cancelled.
"""

from tui.forms.alert_ack import AlertAckForm
from tui.forms.item_action import ItemActionForm
from tui.forms.log_event import LogEventForm
from tui.forms.new_case import NewCaseForm
from tui.forms.policy import PolicyForm
from tui.forms.set_field import SetFieldForm
from tui.forms.void_event import VoidEventForm

__all__ = ["AlertAckForm", "ItemActionForm", "LogEventForm", "NewCaseForm", "PolicyForm", "SetFieldForm",
           "VoidEventForm"]
