from tests.sso.saml_idp.server import main

main()
