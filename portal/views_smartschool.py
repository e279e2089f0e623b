"""The director connects the school to Smartschool: the platform and the webservice access code.
The code is stored encrypted and never shown again; a test call proves it works before saving."""
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import smartschool
from .access import director_required

PLATFORM_SUFFIX = ".smartschool.be"


class SmartschoolForm(forms.Form):
    platform = forms.CharField(label=gettext_lazy("Smartschool platform"), max_length=120,
                               help_text=gettext_lazy("For example school.smartschool.be"))
    access_code = forms.CharField(
        label=gettext_lazy("Webservice access code"), widget=forms.PasswordInput(render_value=False),
        help_text=gettext_lazy("Smartschool › Algemene configuratie › Webservices. Stored encrypted; never shown again."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_id = "smartschool-form"
        self.helper.add_input(Submit("submit", _("Test and save")))

    def clean_platform(self):
        # Only a Smartschool host: the portal must never be pointed at another server with a code.
        platform = self.cleaned_data["platform"].strip().lower().removeprefix("https://").rstrip("/")
        if not platform.endswith(PLATFORM_SUFFIX) or "/" in platform or "@" in platform:
            raise forms.ValidationError(_("Give the address of your Smartschool, for example school.smartschool.be."))
        return platform


@director_required
def smartschool_settings(request):
    school = request.school
    form = SmartschoolForm(request.POST or None)
    if request.method == "POST" and request.POST.get("disconnect"):
        smartschool.school_connect(school=school, platform="", access_code="", by=request.user)
        messages.success(request, _("Smartschool is disconnected. Families who chose Smartschool get e-mail, SMS or paper."))
        return redirect("smartschool_settings")
    if request.method == "POST" and form.is_valid():
        try:
            smartschool.SmartschoolClient(form.cleaned_data["platform"], form.cleaned_data["access_code"]).groups_and_classes()
        except (smartschool.SmartschoolError, smartschool.SmartschoolUnavailable, smartschool.SmartschoolUnconfirmed):
            form.add_error("access_code", _("Smartschool did not accept this platform and code. Nothing was saved."))
        else:
            smartschool.school_connect(school=school, by=request.user, **form.cleaned_data)
            messages.success(request, _("Smartschool is connected."))
            return redirect("smartschool_settings")
    return render(request, "portal/smartschool_settings.html", {
        "form": form, "connected": smartschool.is_connected(school), "platform": school.smartschool_platform})
