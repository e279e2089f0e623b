from oauth2_provider.oauth2_validators import OAuth2Validator


class ClaimsValidator(OAuth2Validator):
    """The claims Entra ID and Google send: the address, whether it is verified, the names.
    A test user whose username starts with "unverified" gets email_verified = false."""

    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, "email_verified": "email", "given_name": "profile",
                        "family_name": "profile", "name": "profile"}

    def get_additional_claims(self, request):
        user = request.user
        return {"email": user.email, "email_verified": not user.username.startswith("unverified"),
                "given_name": user.first_name, "family_name": user.last_name,
                "name": f"{user.first_name} {user.last_name}".strip()}
