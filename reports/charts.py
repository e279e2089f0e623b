"""Horizontal bar charts as inline SVG, drawn on the server. No JavaScript, no inline style (the
content security policy refuses it; the width comes from .report-chart in portal.css).

Each chart is an image to assistive technology (role="img") named by its <title>, with a
<desc> that reads out every number, and aria-describedby pointing at the data table the
numbers come from, which is on the same page. Each bar's label stands whole on its own line
above the bar: school names are long and must never be cut.
"""
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

LABEL_HEIGHT = 18
BAR_HEIGHT = 18
GAP = 10
BAR_WIDTH = 560
VALUE_WIDTH = 120
ROW = LABEL_HEIGHT + BAR_HEIGHT + GAP


def bar_chart(chart_id, title, description, items, described_by):
    """items: (label, percentage 0–100 or None when hidden/empty, text shown beside the bar)."""
    height = max(1, len(items)) * ROW + GAP
    width = BAR_WIDTH + VALUE_WIDTH
    spoken = "; ".join(f"{label}: {text}" for label, _percent, text in items) or _("no figures")
    bars = []
    for index, (label, percent, text) in enumerate(items):
        top = GAP + index * ROW
        bar_top = top + LABEL_HEIGHT
        bar_width = round(BAR_WIDTH * min(percent, 100) / 100) if percent is not None else 0
        bars.append(format_html(
            '<text x="0" y="{}" font-size="13">{}</text>'
            '<rect x="0" y="{}" width="{}" height="{}" fill="#e9ecef"></rect>'
            '<rect x="0" y="{}" width="{}" height="{}" fill="#0b4a6f"></rect>'
            '<text x="{}" y="{}" font-size="13">{}</text>',
            top + 13, label,
            bar_top, BAR_WIDTH, BAR_HEIGHT,
            bar_top, bar_width, BAR_HEIGHT,
            BAR_WIDTH + 8, bar_top + 14, text,
        ))
    return {
        "id": chart_id,
        "title": title,
        "svg": format_html(
            '<svg role="img" aria-labelledby="{0}-title {0}-desc" aria-describedby="{1}" '
            'viewBox="0 0 {2} {3}" class="report-chart" xmlns="http://www.w3.org/2000/svg" '
            'id="{0}"><title id="{0}-title">{4}</title><desc id="{0}-desc">{5} {6}</desc>{7}</svg>',
            chart_id, described_by, width, height, title, description, spoken,
            mark_safe("".join(bars)),
        ),
    }
