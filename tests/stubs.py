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
