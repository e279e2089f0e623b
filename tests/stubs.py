"""Local stand-ins for the outside services, speaking their documented protocols over real HTTP
(pytest-httpserver): Twilio's Messages API, a generic JSON SMS gateway, Brevo's transactional
e-mail API and Smartschool's V3 SOAP webservice. The production code talks to them unchanged."""
import base64
import json
import time
from pathlib import Path
from urllib.parse import parse_qsl

from lxml import etree
from werkzeug import Response

WSDL = Path(__file__).resolve().parent / "portal" / "smartschool_V3.wsdl"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"


class Calls(list):
    def named(self, name):
        return [call for call in self if call["operation"] == name]


def soap_answer(operation: str, value, xsi_type="xsd:string") -> Response:
    text = json.dumps(value) if not isinstance(value, str) else value
    body = (f'<?xml version="1.0" encoding="UTF-8"?>'
            f'<SOAP-ENV:Envelope xmlns:SOAP-ENV="{SOAP_ENV}" xmlns:ns1="urn:v3" '
            f'xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f'<SOAP-ENV:Body><ns1:{operation}Response><return xsi:type="{xsi_type}">'
            f'{etree.CDATA(text) if False else _escape(text)}</return></ns1:{operation}Response>'
            f'</SOAP-ENV:Body></SOAP-ENV:Envelope>')
    return Response(body, content_type="text/xml; charset=utf-8")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class SmartschoolStub:
    """Serves the WSDL with its own address and answers sendMsg, getAllAccountsExtended and
    getAllGroupsAndClasses. ``answers`` maps an operation to what it answers next (a value, a
    callable taking the call, or "slow" to answer after ``slow_seconds``)."""

    def __init__(self, httpserver):
        self.server = httpserver
        self.calls = Calls()
        self.answers = {}
        self.slow_seconds = 0
        self.platform = f"http://{httpserver.host}:{httpserver.port}"
        wsdl = WSDL.read_text().replace("https://PLATFORM", self.platform)
        httpserver.expect_request("/Webservices/V3", method="GET").respond_with_data(wsdl, content_type="text/xml")
        httpserver.expect_request("/Webservices/V3", method="POST").respond_with_handler(self._handle)

    def _handle(self, request):
        envelope = etree.fromstring(request.get_data())
        call_node = envelope.find(f"{{{SOAP_ENV}}}Body")[0]
        operation = etree.QName(call_node).localname
        call = {"operation": operation, **{etree.QName(child).localname: child.text for child in call_node}}
        self.calls.append(call)
        answer = self.answers.get(operation, DEFAULTS.get(operation))
        if isinstance(answer, list):
            answer = answer.pop(0) if len(answer) > 1 else answer[0]
        if answer == "slow":
            time.sleep(self.slow_seconds)
            answer = 0
        if callable(answer):
            return answer(call)
        return soap_answer(operation, str(answer), "xsd:int" if isinstance(answer, int) else "xsd:string")


ACCOUNTS = [
    {"gebruikersnaam": "sara.elamrani", "internnummer": "1001", "voornaam": "Sara", "naam": "El Amrani",
     "basisrol": "leerling"},
    {"gebruikersnaam": "emre.yilmaz", "internnummer": "1002", "voornaam": "Emre", "naam": "Yılmaz",
     "basisrol": "leerling"},
]
GROUPS_XML = ("<groups><group><code>5A</code><name>5A</name><desc>Vijfde leerjaar A</desc><type>K</type>"
              "<instituteNumber>123456</instituteNumber></group>"
              "<group><code>leerlingen</code><name>Leerlingen</name><desc>Alle leerlingen</desc><type>G</type>"
              "</group></groups>")
DEFAULTS = {
    "sendMsg": 0,
    "getAllAccountsExtended": json.dumps(ACCOUNTS),
    "getAllGroupsAndClasses": base64.b64encode(GROUPS_XML.encode()).decode(),
}


def form_of(request) -> dict:
    return dict(parse_qsl(request.get_data(as_text=True)))


# --- a school on the Smartschool stub: its tree of groups and classes, and its accounts ------------

class SmartschoolSchool:
    """A platform's groups, classes and accounts, answered as the V3 webservice does:
    getAllGroupsAndClasses gives the tree (subgroups in ``<children>``) as base64 XML;
    getAllAccountsExtended(code, recursive) gives the accounts of that group, and of every group below it
    when recursive is "1", as a JSON text, or error 19 when the group has no accounts or does not exist."""

    def __init__(self, platform: SmartschoolStub):
        self.groups = {}  # code -> dict(name, type, official, institute, parent)
        self.members = {}  # code -> [account]
        platform.answers["getAllGroupsAndClasses"] = lambda call: soap_answer(
            "getAllGroupsAndClasses", base64.b64encode(self.tree_xml().encode()).decode())
        platform.answers["getAllAccountsExtended"] = self._accounts

    def group(self, code, *, parent="", kind="G", official=False, institute="", name=None):
        self.groups[code] = {"name": name or code, "type": kind, "official": official, "institute": institute,
                             "parent": parent}
        self.members.setdefault(code, [])
        return code

    def add(self, code, account):
        group = self.groups[code]
        account.setdefault("groups", []).append({"code": code, "name": group["name"], "desc": group["name"],
                                                 "isOfficial": group["official"], "isKlas": group["type"] == "K"})
        self.members[code].append(account)
        return account

    def tree_xml(self) -> str:
        def node(code):
            group = self.groups[code]
            children = "".join(node(child) for child, g in self.groups.items() if g["parent"] == code)
            return (f"<group><name>{group['name']}</name><desc>{group['name']}</desc><code>{code}</code>"
                    f"<type>{group['type']}</type><isOfficial>{int(group['official'])}</isOfficial>"
                    f"<instituteNumber>{group['institute']}</instituteNumber><untis></untis>"
                    f"{f'<children>{children}</children>' if children else ''}</group>")
        return "<groups>" + "".join(node(code) for code, g in self.groups.items() if not g["parent"]) + "</groups>"

    def _below(self, code):
        yield code
        for child, group in self.groups.items():
            if group["parent"] == code:
                yield from self._below(child)

    def _accounts(self, call):
        codes = list(self._below(call["code"])) if call["recursive"] == "1" else [call["code"]]
        found = {}
        for code in codes:
            for account in self.members.get(code, []):
                found.setdefault(id(account), account)  # an account in two groups is given once
        if call["code"] not in self.groups or not found:
            return soap_answer("getAllAccountsExtended", "19", "xsd:int")
        return soap_answer("getAllAccountsExtended", json.dumps(list(found.values())))


def smartschool_account(number, first_name, last_name, *, role="1", status="actief", born="", coaccounts=()):
    """An account as getAllAccountsExtended gives it: six co-account slots, an empty one with type 0 (an integer)."""
    account = {"gebruikersnaam": f"{first_name}.{last_name}".lower().replace(" ", ""), "internnummer": number,
               "voornaam": first_name, "naam": last_name, "basisrol": role, "status": status,
               "geboortedatum": born, "emailadres": "", "stamboeknummer": f"0{number}"}
    for n in range(1, 7):
        slot = coaccounts[n - 1] if n <= len(coaccounts) else None
        first, last, email, mobile, kind = slot or ("", "", "", "", 0)
        account.update({f"voornaam_coaccount{n}": first, f"naam_coaccount{n}": last, f"email_coaccount{n}": email,
                        f"mobielnummer_coaccount{n}": mobile, f"telefoonnummer_coaccount{n}": "",
                        f"type_coaccount{n}": kind})
    return account
