"""The tables that answer parliament's questions (shared/seeds): devices by kind and funding, the
November 2020 laptops, schools without devices and schools that started lending per level and
province, teachers with and without a device, and month-by-month figures (trend, internet codes)."""
from decimal import Decimal

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from lending.models import Device
from portal.models import EducationLevel

from .summary import Summary
from .suppression import TOTAL_HIDDEN, is_visible, percent, rate
from .tables import PUPIL_COLUMNS, Parts, Table, euro, province_label, type_label


def kinds_table(total: Summary):
    """Devices are not about people: no suppression."""
    devices = total.sums["devices"]
    table = Table("devices-by-kind", _("Devices in use by kind"), [_("Kind"), _("Devices"), _("Share")])
    for kind, label in Device.Kind.choices:
        count = total.sums[kind]
        table.rows.append([str(label), str(count), rate(count, devices)])
    table.total = [_("Total"), str(devices), rate(devices, devices)]
    return table


def funding_table(total: Summary):
    table = Table("devices-by-funding", _("Devices in use by funding source"),
                  [_("Funding source"), _("Schools"), _("Devices"), _("Purchase value (euro)"),
                   _("Value counted (euro)")])
    sums = [0, Decimal(0), Decimal(0)]
    for source, label in Device.Funding.choices:
        schools, count, value = total.funding.get(source, (0, 0, Decimal(0)))
        counted = value * Device.GOVERNMENT_2020_SHARE if source == Device.Funding.GOVERNMENT_2020 else value
        table.rows.append([str(label), str(schools), str(count), euro(value), euro(counted)])
        sums = [sums[0] + count, sums[1] + value, sums[2] + counted]
    table.total = [_("Total"), str(total.equipped), str(sums[0]), euro(sums[1]), euro(sums[2])]
    return table


def government_laptops_table(parts: Parts):
    """Schools that use the November 2020 laptops, and what share of their Digisprong budget they
    count for (75 % of their value is deducted from it), on average over the schools that entered
    their budget."""
    table = Table("government-laptops", _("Government laptops of November 2020"),
                  [_("Education level"), _("Schools using them"), _("Laptops"), _("Value counted (euro)"),
                   _("Schools with a budget entered"), _("Average share of their Digisprong budget")])

    def cells(summary):
        using, laptops, counted, with_budget, shares = summary.government
        average = percent(int((shares * 1000).to_integral_value()), 1000 * with_budget) if with_budget else ""
        return [str(using), str(laptops), euro(counted), str(with_budget), average]

    table.rows = [[str(label), *cells(parts.where(level=value))] for value, label in EducationLevel.choices]
    table.total = [_("Total"), *cells(parts.total)]
    return table


def _level_province_table(key, title, parts: Parts, columns, cells_of):
    """One row per province, a block of columns per education level, then the total row."""
    header = [_("Province")]
    for _value, label in EducationLevel.choices:
        header += [f"{label}: {column}" for column in columns]
    table = Table(key, title, header)
    by_level = {value: {label: summary for label, summary, _keys in parts.groups(province_label, level=value)}
                for value, _label in EducationLevel.choices}

    def cells(label):
        out = []
        for value, _label in EducationLevel.choices:
            out += cells_of(by_level[value].get(label, Summary()) if label is not None else parts.where(level=value))
        return out

    table.rows = [[label, *cells(label)] for label, _summary, _keys in parts.groups(province_label)]
    table.total = [_("Total"), *cells(None)]
    return table


def without_devices_table(parts: Parts):
    """Schools without any device in use at the end of the year, per province and level."""
    def cells(summary):
        without = summary.schools - summary.equipped
        return [str(summary.schools), str(without), rate(without, summary.schools)]

    return _level_province_table("schools-without-devices", _("Schools without devices"), parts,
                                 [_("schools"), _("without devices"), _("share")], cells)


def started_lending_table(parts: Parts):
    def cells(summary):
        return [str(summary.schools), str(summary.started_lending), rate(summary.started_lending, summary.schools)]

    return _level_province_table("schools-started-lending", _("Schools that started lending this school year"),
                                 parts, [_("schools"), _("started lending"), _("share")], cells)


def teachers_table(parts: Parts, scope):
    """Staff with a device on loan beside the head count the school entered (schools without one are
    left out of both, so the share compares like with like)."""
    def cells(summary):
        head = summary.heads
        if not summary.counted:
            with_device = "0"
        elif summary.staff_of_counted_hidden(scope.name):
            with_device = TOTAL_HIDDEN
        else:
            with_device = str(summary.counted_staff)
        if not is_visible(with_device):
            return [str(summary.counted), str(head), with_device, TOTAL_HIDDEN, TOTAL_HIDDEN]
        without = max(0, head - int(with_device))
        return [str(summary.counted), str(head), with_device, str(without), rate(without, head)]

    return _level_province_table(
        "teachers", _("Staff with and without a device on loan"), parts,
        [_("schools with a head count"), _("staff"), _("with a device on loan"), _("without"), _("share without")],
        cells)


def _month_label(month):
    return date_format(month, "YEAR_MONTH_FORMAT")


def _month_cell(value, hidden):
    return TOTAL_HIDDEN if hidden else str(value)


def trend_table(totals, months, total: Summary, scope):
    """Open loans to pupils and signed agreements over the whole report at each month's end. The last
    month is the per-school table's total, so it hides when that total hides."""
    columns = [PUPIL_COLUMNS[4], PUPIL_COLUMNS[6], PUPIL_COLUMNS[7]]
    table = Table("trend", _("At the end of each month"), [_("Month"), *[str(c.label) for c in columns]])
    hidden = {figure: scope.total_hidden(figure, total) for figure in ("open_pupil", "signed")}
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


def codes_by_group_table(key, title, heading, totals, months, parts: Parts, label_of, hidden_in):
    """Codes handed out and activated in the period, per province or per type of education.
    ``hidden_in(month, label_of, label)`` tells whether the group's code totals hide in the month's year."""
    table = Table(key, title, [str(heading), _("Internet codes handed out"), _("Internet codes activated")])
    for label, _summary, keys in parts.groups(label_of):
        school = keys[0]
        group_key = (school["province"],) if label_of is province_label else (school["level"], school["special_needs"])
        hidden = any(hidden_in(month, label_of, label) for month in months)
        issued = sum(totals.get((*group_key, month), {}).get("issued", 0) for month in months)
        activated = sum(totals.get((*group_key, month), {}).get("activations", 0) for month in months)
        table.rows.append([label, _month_cell(issued, hidden), _month_cell(activated, hidden)])
    return table


# Each code table's grouping: its label, and which of (province, level, special_needs) it keeps.
CODE_GROUPS = {"province": (province_label, (0,)), "type": (type_label, (1, 2))}
