"""One module per page; importing this package registers them all."""

from naranara.pages import (
    agreed_times,
    care_contacts,
    guidance,
    home,
    profile,
    sign_in,
    welcome,
)

__all__ = ["agreed_times", "care_contacts", "guidance", "home", "profile", "sign_in", "welcome"]
