"""The tables that answer parliament's questions (shared/seeds): devices by kind and funding, the
November 2020 laptops, schools without devices and schools that started lending per level and
province, teachers with and without a device, and month-by-month figures (trend, internet codes)."""
from decimal import Decimal

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from lending.models import Device
from portal.models import EducationLevel

from .suppression import TOTAL_HIDDEN, is_visible, percent, rate
from .tables import PUPIL_COLUMNS, Table, euro, groups, province_label, type_label


def kinds_table(rows):
    """Devices are not about people: no suppression."""
    total = sum(row["devices"] for row in rows)
    table = Table("devices-by-kind", _("Devices in use by kind"), [_("Kind"), _("Devices"), _("Share")])
    for kind, label in Device.Kind.choices:
        count = sum(row[kind] for row in rows)
        table.rows.append([str(label), str(count), rate(count, total)])
    table.total = [_("Total"), str(total), rate(total, total)]
    return table


def _funding(rows, source=None):
    """{source: (schools, devices, value)} over the rows, in one pass (3,800 schools, five sources)."""
    totals = {}
    for row in rows:
        for name, (count, value) in row["funding"].items():
            if source is None or name == source:
                schools, devices, amount = totals.get(name, (0, 0, Decimal(0)))
                totals[name] = (schools + bool(count), devices + count, amount + Decimal(value))
    return totals


def funding_table(rows):
    table = Table("devices-by-funding", _("Devices in use by funding source"),
                  [_("Funding source"), _("Schools"), _("Devices"), _("Purchase value (euro)"),
                   _("Value counted (euro)")])
    by_source = _funding(rows)
    totals = [0, Decimal(0), Decimal(0)]
    for source, label in Device.Funding.choices:
        schools, count, value = by_source.get(source, (0, 0, Decimal(0)))
        counted = value * Device.GOVERNMENT_2020_SHARE if source == Device.Funding.GOVERNMENT_2020 else value
        table.rows.append([str(label), str(schools), str(count), euro(value), euro(counted)])
        totals = [totals[0] + count, totals[1] + value, totals[2] + counted]
    table.total = [_("Total"), str(sum(1 for row in rows if row["devices"])), str(totals[0]), euro(totals[1]),
                   euro(totals[2])]
    return table


def government_laptops_table(rows):
    """Schools that use the November 2020 laptops, and what share of their Digisprong budget they
    count for (75 % of their value is deducted from it), on average over the schools that entered
    their budget."""
    table = Table("government-laptops", _("Government laptops of November 2020"),
                  [_("Education level"), _("Schools using them"), _("Laptops"), _("Value counted (euro)"),
                   _("Schools with a budget entered"), _("Average share of their Digisprong budget")])
    source = Device.Funding.GOVERNMENT_2020

    def cells(members):
        using = [(row, *row["funding"][source]) for row in members if row["funding"].get(source, (0,))[0]]
        using = [(row, count, Decimal(value) * Device.GOVERNMENT_2020_SHARE) for row, count, value in using]
        shares = [counted / Decimal(row["digisprong_budget"]) for row, _c, counted in using
                  if row["digisprong_budget"] and Decimal(row["digisprong_budget"]) > 0]
        average = percent(int((sum(shares) * 1000).to_integral_value()), 1000 * len(shares)) if shares else ""
        return [str(len(using)), str(sum(c for _r, c, _v in using)), euro(sum((v for *_x, v in using), Decimal(0))),
                str(len(shares)), average]

    by_level = {value: [row for row in rows if row["school"]["level"] == value] for value, _l in EducationLevel.choices}
    table.rows = [[str(label), *cells(by_level[value])] for value, label in EducationLevel.choices]
    table.total = [_("Total"), *cells(rows)]
    return table


def _level_province_table(key, title, rows, columns, cells_of):
    """One row per province, a block of columns per education level, then the total row."""
    header = [_("Province")]
    for _value, label in EducationLevel.choices:
        header += [f"{label}: {column}" for column in columns]
    table = Table(key, title, header)

    def cells(members):
        out = []
        for value, _label in EducationLevel.choices:
            out += cells_of([m for m in members if m["school"]["level"] == value])
        return out

    table.rows = [[label, *cells(members)] for label, members in groups(rows, province_label)]
    table.total = [_("Total"), *cells(rows)]
    return table


def without_devices_table(rows):
    """Schools without any device in use at the end of the year, per province and level."""
    def cells(members):
        without = sum(1 for m in members if not m["devices"])
        return [str(len(members)), str(without), rate(without, len(members))]

    return _level_province_table("schools-without-devices", _("Schools without devices"), rows,
                                 [_("schools"), _("without devices"), _("share")], cells)


def started_lending_table(rows):
    def cells(members):
        started = sum(1 for m in members if m["started_lending"])
        return [str(len(members)), str(started), rate(started, len(members))]

    return _level_province_table("schools-started-lending", _("Schools that started lending this school year"),
                                 rows, [_("schools"), _("started lending"), _("share")], cells)


def teachers_table(rows, scope):
    """Staff with a device on loan beside the head count the school entered (schools without one are
    left out of both, so the share compares like with like)."""
    def cells(members):
        counted = [m for m in members if m["staff_head_count"] is not None]
        head = sum(m["staff_head_count"] for m in counted)
        with_device = scope.total("staff", counted) if counted else "0"
        if not is_visible(with_device):
            return [str(len(counted)), str(head), with_device, TOTAL_HIDDEN, TOTAL_HIDDEN]
        without = max(0, head - int(with_device))
        return [str(len(counted)), str(head), with_device, str(without), rate(without, head)]

    return _level_province_table(
        "teachers", _("Staff with and without a device on loan"), rows,
        [_("schools with a head count"), _("staff"), _("with a device on loan"), _("without"), _("share without")],
        cells)


def _month_label(month):
    return date_format(month, "YEAR_MONTH_FORMAT")


def _month_cell(value, hidden):
    return TOTAL_HIDDEN if hidden else str(value)


def trend_table(totals, months, year_rows, scope):
    """Open loans to pupils and signed agreements over the whole report at each month's end. The last
    month is the per-school table's total, so it hides when that total hides."""
    columns = [PUPIL_COLUMNS[4], PUPIL_COLUMNS[6], PUPIL_COLUMNS[7]]
    table = Table("trend", _("At the end of each month"), [_("Month"), *[str(c.label) for c in columns]])
    hidden = {figure: scope.total_hidden(figure, year_rows) for figure in ("open_pupil", "signed")}
    for month in months:
        figures = totals.get((month,), {"open_pupil": 0, "signed": 0})
        open_text = _month_cell(figures["open_pupil"], hidden["open_pupil"])
        signed_text = _month_cell(figures["signed"], hidden["signed"])
        table.rows.append([_month_label(month), open_text, signed_text,
                           rate(figures["signed"], figures["open_pupil"], signed_text, open_text)])
    return table


def codes_by_month_table(totals, months, hidden_in):
    """Internet codes handed out and activated in each month of the period, and the period's sum.
    ``hidden_in(month)`` tells whether the whole report's code total for that month's year hides."""
    table = Table("codes-by-month", _("Internet codes per month"),
                  [_("Month"), _("Internet codes handed out"), _("Internet codes activated in the month")])
    sums, any_hidden = [0, 0], False
    for month in months:
        figures = totals.get((month,), {"issued": 0, "activations": 0})
        hidden = hidden_in(month)
        any_hidden |= hidden
        sums = [sums[0] + figures["issued"], sums[1] + figures["activations"]]
        table.rows.append([_month_label(month), _month_cell(figures["issued"], hidden),
                           _month_cell(figures["activations"], hidden)])
    table.total = [_("Total"), _month_cell(sums[0], any_hidden), _month_cell(sums[1], any_hidden)]
    return table


def codes_by_group_table(key, title, heading, totals, months, rows, label_of, hidden_in):
    """Codes handed out and activated in the period, per province or per type of education."""
    table = Table(key, title, [str(heading), _("Internet codes handed out"), _("Internet codes activated")])
    for label, members in groups(rows, label_of):
        school = members[0]["school"]
        group_key = (school["province"],) if label_of is province_label else (school["level"], school["special_needs"])
        hidden = any(hidden_in(month, members) for month in months)
        issued = sum(totals.get((*group_key, month), {}).get("issued", 0) for month in months)
        activated = sum(totals.get((*group_key, month), {}).get("activations", 0) for month in months)
        table.rows.append([label, _month_cell(issued, hidden), _month_cell(activated, hidden)])
    return table


# Each code table's grouping: its label, and which of (province, level, special_needs) it keeps.
CODE_GROUPS = {"province": (province_label, (0,)), "type": (type_label, (1, 2))}
