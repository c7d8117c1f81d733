"""A test SAML identity provider (pysaml2's saml2.server) run as its own process: server.py."""
