"""Device files as the school's tools export them: which column holds what.

A mapping is a dict from a device field to a column of the file. Presets find the columns of a Google
Admin console Chrome devices export and of a Microsoft Intune device export by their names; the
generic mapping takes the usual English and Dutch column names and whatever the coordinator chooses.
Besides the Device fields, three columns only help: "manufacturer" goes in front of the model (Intune),
"os" tells the kind when there is no kind column (Intune), and "status" leaves out devices a console
lists as deprovisioned or disabled (Google Admin).
"""
import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import Device

GENERIC = "generic"
FIELDS = ["asset_tag", "serial_number", "kind", "manufacturer", "make_model", "funding_source", "purchase_value",
          "accessories", "in_use_since", "os", "status"]
LABELS = {
    "asset_tag": _("Asset tag"), "serial_number": _("Serial number"), "kind": _("Kind"),
    "manufacturer": _("Manufacturer (put in front of the model)"), "make_model": _("Make and model"),
    "funding_source": _("Funding source"), "purchase_value": _("Purchase value"), "accessories": _("Accessories"),
    "in_use_since": _("In use since"),
    "os": _("Operating system (tells the kind)"), "status": _("Status in the console"),
}
# Statuses of a device management console for devices that are no longer in use.
GONE_STATUSES = ("deprovisioned", "disabled", "retired", "wiped")


def key(text: str) -> str:
    """Compare headers and values loosely: case, spaces, underscores and hyphens do not matter."""
    return " ".join(re.sub(r"[_\-]", " ", text).split()).lower()


# The generic mapping: field <- the header names accepted for it (English names first, then Dutch).
ALIASES = {
    "asset_tag": ["asset_tag", "asset tag", "assettag", "tag", "inventarisnummer", "inventaris nummer",
                  "inventarisnr", "inventaris"],
    "kind": ["kind", "type", "soort", "soort toestel"],
    "funding_source": ["funding_source", "funding", "financiering", "financieringsbron"],
    "make_model": ["make_model", "make and model", "model", "merk_model", "merk en model", "merk/model", "merk"],
    "serial_number": ["serial_number", "serial", "serienummer", "serial no", "serial number"],
    "purchase_value": ["purchase_value", "value", "price", "aankoopwaarde", "aankoopprijs", "waarde", "prijs"],
    "accessories": ["accessories", "toebehoren", "accessoires"],
    "in_use_since": ["in_use_since", "in use since", "in gebruik sinds", "in gebruik", "ingebruikname",
                     "datum ingebruikname"],
}


@dataclass(frozen=True)
class Preset:
    key: str
    label: str
    columns: dict  # field -> accepted column names, in order of preference
    markers: tuple  # any one of these columns tells the export apart
    kind: str  # what a device of this export is when nothing says otherwise


GOOGLE_ADMIN = Preset(
    key="google_admin", label=_("Google Admin console: Chrome devices export"),
    columns={"asset_tag": ["asset id", "annotated asset id"], "serial_number": ["serial number"],
             "make_model": ["model"], "status": ["status"]},
    markers=("org unit path", "annotated asset id", "annotated user"),
    kind=Device.Kind.CHROMEBOOK,
)
INTUNE = Preset(
    key="intune", label=_("Microsoft Intune: device export"),
    columns={"asset_tag": ["device name"], "serial_number": ["serial number"], "manufacturer": ["manufacturer"],
             "make_model": ["model"], "os": ["os", "operating system"]},
    markers=("enrollment date", "primary user upn", "azure ad device id", "intune registered"),
    kind=Device.Kind.LAPTOP,
)
PRESETS = {preset.key: preset for preset in (GOOGLE_ADMIN, INTUNE)}
CHOICES = [(GENERIC, _("Other: I choose the columns")), *((p.key, p.label) for p in PRESETS.values())]
# The kind an operating system says, for exports without a kind column.
OS_KINDS = {"windows": Device.Kind.LAPTOP, "macos": Device.Kind.LAPTOP, "mac os": Device.Kind.LAPTOP,
            "ios": Device.Kind.TABLET, "ipados": Device.Kind.TABLET, "ios/ipados": Device.Kind.TABLET,
            "android": Device.Kind.TABLET, "chrome os": Device.Kind.CHROMEBOOK, "chromeos": Device.Kind.CHROMEBOOK}


def detect(header: list[str]) -> str:
    present = {key(name) for name in header}
    for preset in PRESETS.values():
        if any(key(marker) in present for marker in preset.markers):
            return preset.key
    return GENERIC


def mapping_for(preset: str, header: list[str], remembered: dict | None = None) -> dict[str, str]:
    """The preset's columns (or, for the generic mapping, the remembered then the usual names) in this header."""
    by_key = {key(name): name for name in header}
    if preset in PRESETS:
        candidates = PRESETS[preset].columns
    else:
        candidates = {name: [*([remembered[name]] if (remembered or {}).get(name) else []), *ALIASES.get(name, [])]
                      for name in FIELDS}
    mapping = {}
    for name, names in candidates.items():
        found = next((by_key[key(column)] for column in names if key(column) in by_key), None)
        if found is not None and found not in mapping.values():
            mapping[name] = found
    return mapping


def ambiguous(header: list[str]) -> list[str]:
    """Columns that are the usual name of one field twice ("asset_tag" and "inventarisnummer")."""
    twice = []
    for names in ALIASES.values():
        found = [column for column in header if key(column) in {key(name) for name in names}]
        if len(found) > 1:
            twice.extend(found)
    return twice


def default_kind(preset: str) -> str:
    return PRESETS[preset].kind if preset in PRESETS else ""
