"""Every page path in one place (Swedish, as residents see them in the address bar)."""

HOME = "/"
AGREED_TIMES = "/tider"
CONTACTS = "/kontakter"
GUIDANCE = "/egenvard"
PROFILE = "/profil"
SIGN_IN = "/logga-in"
WELCOME = "/valkommen"


def article(slug: str) -> str:
    return f"{GUIDANCE}/{slug}"
