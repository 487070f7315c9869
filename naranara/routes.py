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
# The resident's whole record as a FHIR R4 bundle (http/fhir_routes.py).
FHIR_EXPORT = "/export/fhir.json"
# Adding and changing contacts and agreed times (?kontakt=ID / ?tid=ID picks the row).
CONTACT_NEW = "/kontakter/ny"
CONTACT_EDIT = "/kontakter/andra"
AGREED_TIME_NEW = "/tider/ny"
AGREED_TIME_EDIT = "/tider/andra"

# Staff: the residents they have a care relationship with.
MY_RESIDENTS = "/mina-invanare"
