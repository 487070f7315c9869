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

# "Vad är viktigt för dig?": overview, guided first fill, history, printable summary.
WHAT_MATTERS = "/viktigt"
WHAT_MATTERS_GUIDE = "/viktigt/fyll-i"
WHAT_MATTERS_HISTORY = "/viktigt/historik"
WHAT_MATTERS_SUMMARY = "/viktigt/sammanfattning"
# The coordinated plan (sammanhållen plan / SIP).
CARE_PLAN = "/plan"
