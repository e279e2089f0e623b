"""Migrate the provider's database and add its users and the portal as a client (run once per test session)."""
import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.oidc_provider.settings")
django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from oauth2_provider.models import Application  # noqa: E402

call_command("migrate", verbosity=0)
spec = json.loads(sys.argv[1])
for person in spec["users"]:
    User.objects.create_user(username=person["username"], email=person["email"], password=person["password"],
                             first_name=person.get("first_name", ""), last_name=person.get("last_name", ""))
for client in spec["clients"]:
    Application.objects.create(
        name=client["client_id"], client_id=client["client_id"], client_secret=client["secret"],
        redirect_uris=" ".join(client["redirect_uris"]), client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE, algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True)
