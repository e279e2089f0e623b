"""What every column-mapping form checks: a column of the file holds one field only."""
from django import forms
from django.utils.translation import gettext as _


def check_each_column_once(cleaned: dict) -> None:
    chosen = [value for value in cleaned.values() if value]
    twice = sorted({value for value in chosen if chosen.count(value) > 1})
    if twice:
        raise forms.ValidationError(_("Each column can hold one thing only; chosen more than once: %(columns)s")
                                    % {"columns": ", ".join(twice)})
