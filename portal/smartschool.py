"""Smartschool's V3 webservice (SOAP), through zeep: messages to parents' co-accounts, and the
roster reads a roster sync needs.

A school enters its platform (``school.smartschool.be``) and the webservice access code (the
platform's admin module "Webservices"); the code is stored encrypted (Fernet, key from
``SMARTSCHOOL_ENCRYPTION_KEY`` or derived from ``SECRET_KEY``) and never shown again.

The operations, as the platform's WSDL (``https://<platform>/Webservices/V3?wsdl``) describes them:
- ``sendMsg(accesscode, userIdentifier, title, body, senderIdentifier, attachments, coaccount,
  copyToLVS)``: a message in the Smartschool inbox of the pupil (``coaccount`` 0) or of one of the
  pupil's co-accounts (1-6, the parents). ``userIdentifier`` is the pupil's username or internal
  number. Answers 0, or an error code.
- ``getAllAccountsExtended(accesscode, code, recursive)``: the accounts of a group or class, as a
  JSON text (or an error code).
- ``getAllGroupsAndClasses(accesscode)``: every group and class, as base64-encoded XML: a tree of
  ``<group>`` elements (subgroups directly inside a group or in its ``<children>``), each with ``code``,
  ``name``, ``desc``, ``type`` (``K`` a class, ``G`` a group), ``isOfficial`` (``1`` for an official
  class) and ``instituteNumber``.

Retries: a connection that could not be made (or a 503) is retried with backoff; a request that
reached the platform but got no answer in time is never sent again (``SmartschoolUnconfirmed``),
since the message may have arrived: a parent never gets a message twice.
"""
import base64
import binascii
import hashlib
import json
from dataclasses import dataclass

import requests
import zeep
from cryptography.fernet import Fernet, InvalidToken
from defusedxml import ElementTree
from django.conf import settings
from django.db import transaction
from zeep.cache import InMemoryCache
from zeep.exceptions import Error as ZeepError
from zeep.transports import Transport

from . import audit
from .http import retrying_session
from .models import AuditEvent

CONNECT_TIMEOUT, ANSWER_TIMEOUT = 5, 20
NO_SENDER = "Null"  # the platform sends in its own name


class SmartschoolError(Exception):
    """The platform answered with an error code (a wrong access code, an unknown pupil, ...)."""

    def __init__(self, code, operation: str):
        super().__init__(f"Smartschool {operation} answered error {code}")
        self.code = code


class SmartschoolUnavailable(OSError):
    """The platform could not be reached: nothing arrived, so trying again later is safe."""


class SmartschoolUnconfirmed(Exception):
    """The request reached the platform but no answer came: it may have arrived; do not resend."""


# --- the access code at rest --------------------------------------------------------------------

def _fernet() -> Fernet:
    secret = settings.SMARTSCHOOL_ENCRYPTION_KEY or settings.SECRET_KEY
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(secret.encode()).digest()))


def encrypt_access_code(code: str) -> str:
    return _fernet().encrypt(code.encode()).decode()


def decrypt_access_code(stored: str) -> str:
    try:
        return _fernet().decrypt(stored.encode()).decode()
    except InvalidToken:
        raise SmartschoolError("access code unreadable (was the key changed?)", "decrypt") from None


def is_connected(school) -> bool:
    return bool(school.smartschool_platform and school.smartschool_access_code)


def webservice_url(platform: str) -> str:
    base = platform if "://" in platform else f"https://{platform}"
    return base.rstrip("/") + "/Webservices/V3"


# --- the client ---------------------------------------------------------------------------------

@dataclass
class Account:
    username: str
    internal_number: str
    first_name: str
    last_name: str
    role: str
    raw: dict


@dataclass
class Group:
    code: str
    name: str
    description: str
    is_class: bool
    official_code: str  # the school number (instellingsnummer) an official class belongs to
    is_official: bool = False
    parent_code: str = ""


_wsdl_cache = InMemoryCache(timeout=3600)


class SmartschoolClient:
    def __init__(self, platform: str, access_code: str):
        self.access_code = access_code
        transport = Transport(session=retrying_session(), cache=_wsdl_cache, timeout=CONNECT_TIMEOUT + ANSWER_TIMEOUT,
                              operation_timeout=(CONNECT_TIMEOUT, ANSWER_TIMEOUT))
        try:
            client = zeep.Client(webservice_url(platform) + "?wsdl", transport=transport)
        except requests.RequestException as error:
            raise SmartschoolUnavailable(f"Smartschool WSDL unreachable: {type(error).__name__}") from None
        # The platform's WSDL names its own address; call exactly the platform the school entered.
        binding = next(iter(client.wsdl.bindings))
        self.service = client.create_service(binding, webservice_url(platform))

    @classmethod
    def for_school(cls, school) -> "SmartschoolClient":
        return cls(school.smartschool_platform, decrypt_access_code(school.smartschool_access_code))

    def _call(self, operation: str, *args):
        try:
            return getattr(self.service, operation)(self.access_code, *args)
        except (requests.ConnectionError, requests.exceptions.ConnectTimeout) as error:
            raise SmartschoolUnavailable(f"Smartschool unreachable: {type(error).__name__}") from None
        except requests.Timeout:
            raise SmartschoolUnconfirmed(f"Smartschool {operation}: no answer in time") from None
        except requests.HTTPError as error:
            raise SmartschoolUnavailable(f"Smartschool {operation}: HTTP {error.response.status_code}") from None
        except ZeepError as error:
            # A SOAP fault or an answer that is not SOAP: the platform refused the call.
            raise SmartschoolError(type(error).__name__, operation) from None

    @staticmethod
    def _error_code(result) -> int | None:
        """Smartschool answers a number for an error (0 means done for sendMsg)."""
        text = str(result).strip() if result is not None else ""
        return int(text) if text.lstrip("-").isdigit() else None

    def send_message(self, *, user_identifier: str, coaccount: int, title: str, body: str) -> None:
        result = self._call("sendMsg", user_identifier, title, body, NO_SENDER, "", coaccount, False)
        code = self._error_code(result)
        if code != 0:
            raise SmartschoolError(code if code is not None else result, "sendMsg")

    def all_accounts(self, group_code: str, *, recursive: bool = True) -> list[Account]:
        result = self._call("getAllAccountsExtended", group_code, "1" if recursive else "0")
        if (code := self._error_code(result)) is not None:
            raise SmartschoolError(code, "getAllAccountsExtended")
        try:
            rows = json.loads(str(result))
        except ValueError:
            raise SmartschoolError("not JSON", "getAllAccountsExtended") from None
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            raise SmartschoolError("not a list of accounts", "getAllAccountsExtended")
        # Public clients meet both "internnummer" and "Internnummer": keys are read without regard to case.
        rows = [{str(key).lower(): value for key, value in row.items()} for row in rows]
        return [Account(username=_text(row.get("gebruikersnaam")), internal_number=_text(row.get("internnummer")),
                        first_name=_text(row.get("voornaam")), last_name=_text(row.get("naam")),
                        role=_text(row.get("basisrol")), raw=row) for row in rows]

    def groups_and_classes(self) -> list[Group]:
        result = self._call("getAllGroupsAndClasses")
        if (code := self._error_code(result)) is not None:
            raise SmartschoolError(code, "getAllGroupsAndClasses")
        try:
            root = ElementTree.fromstring(base64.b64decode(str(result)))
        except (binascii.Error, ElementTree.ParseError):
            raise SmartschoolError("not base64 XML", "getAllGroupsAndClasses") from None
        groups: list[Group] = []
        _read_groups([root] if root.tag == "group" else root.findall("group"), "", groups)
        return groups


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _read_groups(nodes, parent_code: str, into: list[Group]) -> None:
    """The tree in document order, each group knowing its parent (a class's parent is its grade or the
    pupils' group)."""
    for node in nodes:
        code = (node.findtext("code") or "").strip()
        into.append(Group(code=code, name=(node.findtext("name") or "").strip(), description=node.findtext("desc", ""),
                          is_class=(node.findtext("type") or "").strip() == "K",
                          official_code=(node.findtext("instituteNumber") or "").strip(),
                          is_official=(node.findtext("isOfficial") or "").strip() == "1", parent_code=parent_code))
        _read_groups([*node.findall("group"), *node.findall("children/group")], code, into)


def school_connect(*, school, platform: str, access_code: str, by=None) -> None:
    """Save the school's Smartschool platform and access code (encrypted); empty both to disconnect."""
    platform = platform.strip().removeprefix("https://").rstrip("/")
    with transaction.atomic():
        school.smartschool_platform = platform
        school.smartschool_access_code = encrypt_access_code(access_code.strip()) if access_code.strip() else ""
        school.save(update_fields=["smartschool_platform", "smartschool_access_code"])
        action = AuditEvent.Action.SMARTSCHOOL_CONNECTED if is_connected(school) else AuditEvent.Action.SMARTSCHOOL_DISCONNECTED
        audit.record(actor=by, action=action, instance=school, school=school, after={"platform": platform})
