"""Horizontal bar charts as inline SVG, drawn on the server. No JavaScript.

Each chart is an image to assistive technology (role="img") named by its <title>, with a
<desc> that reads out every number, and aria-describedby pointing at the data table the
numbers come from, which is on the same page.
"""
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

BAR_HEIGHT = 22
GAP = 8
LABEL_WIDTH = 260
BAR_WIDTH = 360
VALUE_WIDTH = 80


def bar_chart(chart_id, title, description, items, described_by):
    """items: (label, percentage 0–100 or None when hidden/empty, text shown beside the bar)."""
    height = max(1, len(items)) * (BAR_HEIGHT + GAP) + GAP
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    spoken = "; ".join(f"{label}: {text}" for label, _percent, text in items) or _("no figures")
    bars = []
    for index, (label, percent, text) in enumerate(items):
        y = GAP + index * (BAR_HEIGHT + GAP)
        middle = y + BAR_HEIGHT / 2 + 5
        short = label if len(label) <= 38 else label[:37] + "…"
        bar_width = round(BAR_WIDTH * min(percent, 100) / 100) if percent is not None else 0
        bars.append(format_html(
            '<text x="{}" y="{}" text-anchor="end" font-size="13">{}</text>'
            '<rect x="{}" y="{}" width="{}" height="{}" fill="#e9ecef"></rect>'
            '<rect x="{}" y="{}" width="{}" height="{}" fill="#0b4a6f"></rect>'
            '<text x="{}" y="{}" font-size="13">{}</text>',
            LABEL_WIDTH - 8, middle, short,
            LABEL_WIDTH, y, BAR_WIDTH, BAR_HEIGHT,
            LABEL_WIDTH, y, bar_width, BAR_HEIGHT,
            LABEL_WIDTH + BAR_WIDTH + 8, middle, text,
        ))
    return {
        "id": chart_id,
        "title": title,
        "svg": format_html(
            '<svg role="img" aria-labelledby="{0}-title {0}-desc" aria-describedby="{1}" '
            'viewBox="0 0 {2} {3}" width="100%" style="max-width:{2}px" xmlns="http://www.w3.org/2000/svg" '
            'id="{0}"><title id="{0}-title">{4}</title><desc id="{0}-desc">{5} {6}</desc>{7}</svg>',
            chart_id, described_by, width, height, title, description, spoken,
            mark_safe("".join(bars)),
        ),
    }

