"""One module per page; importing this package registers them all."""

from naranara.pages import (
    agreed_times,
    care_contacts,
    care_plan,
    guidance,
    home,
    my_residents,
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
    "my_residents",
    "profile",
    "sign_in",
    "welcome",
    "what_matters",
]
