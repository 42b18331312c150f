"""The per-request nonce that lets a page's own inline scripts run under the Content Security
Policy: the header (webapp.security) and whatever writes a script (templates, the maps) ask
here, so neither needs the other."""

import secrets

from flask import g


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce
