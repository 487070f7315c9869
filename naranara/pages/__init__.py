"""One module per page; importing this package registers them all."""

from naranara.pages import (
    agreed_times,
    care_contacts,
    care_plan,
    guidance,
    home,
    profile,
    sign_in,
    welcome,
    what_matters,
)

__all__ = [
    "agreed_times",
    "care_contacts",
    "care_plan",
    "guidance",
    "home",
    "profile",
    "sign_in",
    "welcome",
    "what_matters",
]
