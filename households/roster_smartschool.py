"""The pupil list read from the school's Smartschool (the roster sync), for the same check, leaver
confirmation and import as a file: ``read_pupils`` gives RosterRows, the view stashes them
(roster_pending.stash_rows) and sends the coordinator to the check page.

Which group is read: Smartschool has no fixed code for "all pupils" (schools call it "lln",
"leerlingen", or split it per site), so the portal looks at the tree of getAllGroupsAndClasses, takes
the official classes (of this school's number when the platform serves several schools; every class
when none is marked official) and reads each top group above them with getAllAccountsExtended,
recursively: usually one call for the whole school. Each pupil's class is their official class.

An account becomes a row the way a line of Smartschool's user export does (the same preset, so one
mapping serves both): internnummer is the pupil number, co-accounts 1 to 6 are the guardians, each
with its co-account number so Smartschool messages reach that parent. Accounts that are switched off
or are not pupils are left out and counted.
"""
import logging
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal import smartschool
from portal.csvfiles import CsvFile, Row
from portal.models import School

from . import roster_presets
from .roster_rows import RosterRow

logger = logging.getLogger(__name__)

NO_ACCOUNTS = 19  # getAllAccountsExtended: the group has no accounts (or does not exist)
PUPIL_ROLES = ("1", *roster_presets.PUPIL_ROLES)  # basisrol: 1 is a pupil's code; some platforms give the name
SWITCHED_OFF = ("uitgeschakeld", "inactive", "disabled", "niet actief")
# The official class is not a key of the account: it is worked out from the account's groups.
CLASS_KEY = "officiële klas"
CLASS_KEYS = ("stamklas", "klas")
EMPTY_VALUES = ("0000-00-00",)  # an empty date as the platform writes it


class SyncRefused(Exception):
    """Smartschool could not give the list; the message says why, in the coordinator's words."""


@dataclass(frozen=True)
class SyncedList:
    rows: list[RosterRow]
    labels: dict  # field key -> the account key it came from, for the check's messages
    switched_off: int
    not_pupils: int
    other_school: int

    @property
    def summary(self) -> str:
        # Counts as "label: number", so one message serves 1 and many without plural forms.
        return _("Read from Smartschool: pupils: %(pupils)d; left out: switched-off accounts: %(off)d, "
                 "accounts that are not pupils: %(others)d, pupils of another school: %(elsewhere)d.") % {
            "pupils": len(self.rows), "off": self.switched_off, "others": self.not_pupils,
            "elsewhere": self.other_school}


SOURCE_LABEL = gettext_lazy("Smartschool (%(platform)s)")


def read_pupils(school: School) -> SyncedList:
    """The school's pupils as Smartschool has them now; SyncRefused when it cannot say."""
    try:
        client = smartschool.SmartschoolClient.for_school(school)
        groups = client.groups_and_classes()
        classes, elsewhere, tops = pupil_groups(school, groups)
        accounts = {}
        for top in tops:
            for account in _accounts(client, top.code):
                accounts.setdefault(account.username or account.internal_number, account)
    except smartschool.SmartschoolUnavailable:
        logger.warning("roster sync: Smartschool unreachable", extra={"school_id": school.pk})
        raise SyncRefused(_("Smartschool cannot be reached now. Nothing has changed; try again later.")) from None
    except smartschool.SmartschoolUnconfirmed:
        logger.warning("roster sync: no answer in time", extra={"school_id": school.pk})
        raise SyncRefused(_("Smartschool did not answer in time. Nothing has changed; try again later.")) from None
    except smartschool.SmartschoolError as error:
        logger.warning("roster sync: Smartschool refused (%s)", error.code, extra={"school_id": school.pk})
        reason = _("error %(code)s") % {"code": error.code} if isinstance(error.code, int) else _(
            "an answer the portal cannot read")
        raise SyncRefused(_("Smartschool refused to give the pupils (%(reason)s). Nothing has changed. Ask the "
                            "director to check the webservice access code on the Smartschool page.") % {
            "reason": reason}) from None
    if not tops:
        raise SyncRefused(_("Smartschool has no classes. Nothing has changed."))
    synced = _rows(accounts.values(), classes, elsewhere)
    if not synced.rows:
        raise SyncRefused(_("Smartschool gave no pupils. Nothing has changed."))
    return synced


def _accounts(client, code: str) -> list:
    try:
        return client.all_accounts(code, recursive=True)
    except smartschool.SmartschoolError as error:
        if error.code == NO_ACCOUNTS:
            return []
        raise


def pupil_groups(school: School, groups: list[smartschool.Group]) -> tuple[list, list, list]:
    """The school's classes, the official classes of other school numbers on the platform, and the top
    groups above the school's classes (what is read)."""
    classes = [g for g in groups if g.is_class and g.is_official] or [g for g in groups if g.is_class]
    own = [g for g in classes if g.official_code.lstrip("0") == school.instellingsnummer.lstrip("0")]
    elsewhere = [g for g in classes if g not in own] if own else []
    classes = own or classes
    by_code = {g.code: g for g in groups}
    tops = {}
    for group in classes:
        top, seen = group, {group.code}
        while top.parent_code in by_code and top.parent_code not in seen:
            seen.add(top.parent_code)
            top = by_code[top.parent_code]
        tops.setdefault(top.code, top)
    return classes, elsewhere, list(tops.values())


def _official_class(account, class_names: set[str]) -> str:
    for key in CLASS_KEYS:
        if _value(account.raw.get(key)):
            return _value(account.raw[key])
    groups = [g for g in account.raw.get("groups") or [] if isinstance(g, dict)]
    official = [g for g in groups if str(g.get("isOfficial", "")).strip().lower() in ("1", "true")]
    known = [g for g in groups if _value(g.get("code")) in class_names or _value(g.get("name")) in class_names]
    chosen = (official or known or [{}])[0]
    return _value(chosen.get("name")) or _value(chosen.get("code"))


def _value(value) -> str:
    if value is None or isinstance(value, (list, dict)):
        return ""
    text = str(value).strip()
    return "" if text in EMPTY_VALUES else text


def _names(groups: list) -> set[str]:
    return {g.name for g in groups} | {g.code for g in groups}


def _rows(accounts, classes: list, elsewhere: list) -> SyncedList:
    """Rows from the accounts; ``elsewhere`` are the classes of the platform's other school numbers."""
    class_names, elsewhere_names = _names(classes), _names(elsewhere) - _names(classes)
    switched_off = not_pupils = other_school = 0
    table_rows = []
    for account in accounts:
        if _value(account.raw.get("status")).lower() in SWITCHED_OFF:
            switched_off += 1
            continue
        if account.role and account.role.lower() not in PUPIL_ROLES:
            not_pupils += 1
            continue
        class_name = _official_class(account, class_names)
        if class_name in elsewhere_names:
            other_school += 1
            continue
        values = {key: _value(value) for key, value in account.raw.items()}
        # An empty co-account slot carries type 0.
        values.update({key: "" for key, value in values.items() if key.startswith("type_coaccount") and value == "0"})
        table_rows.append({**values, CLASS_KEY: class_name})
    table_rows.sort(key=lambda v: (v[CLASS_KEY].casefold(), v.get("naam", "").casefold(), v.get("voornaam", "").casefold()))
    header = sorted({key for values in table_rows for key in values})
    table = CsvFile(columns=header, rows=[Row(line, values) for line, values in enumerate(table_rows, start=1)],
                    errors=[])
    mapping = roster_presets.preset_mapping(roster_presets.SMARTSCHOOL.key, header)
    mapping.pop(roster_presets.ROLE_FIELD, None)  # the roles were read above, codes included
    # The pupil number is internnummer, which sendMsg also takes: never another number the export may hold.
    mapping.update(internal_number="internnummer", first_name="voornaam", last_name="naam", class_name=CLASS_KEY)
    rows, _skipped = roster_presets.rows_from_table(table, mapping, preset=roster_presets.SMARTSCHOOL.key)
    return SyncedList(rows=rows, labels=mapping, switched_off=switched_off, not_pupils=not_pupils,
                      other_school=other_school)
