"""Accounts and single sign-on: OpenID Connect (konto/oidc.py), SAML 2.0 (konto/saml*.py) and
the directory's roles (konto/directory.py), which every provider applies at each sign-in."""
