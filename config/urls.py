from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from portal import audit_log, views, views_twofactor
from portal.forms import EmailLoginForm, QueuedPasswordResetForm
from privacy import views as privacy_views
from reports import urls as report_urls

admin.site.site_header = "Uitleenportaal"
admin.site.site_title = "Uitleenportaal"

account_patterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(authentication_form=EmailLoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password-reset/",
        auth_views.PasswordResetView.as_view(form_class=QueuedPasswordResetForm),
        name="password_reset",
    ),
    path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("password-change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password-change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("two-step/", views_twofactor.two_step_settings, name="two_step_settings"),
    path("two-step/off/", views_twofactor.two_step_disable, name="two_step_disable"),
    path("two-step/code/", views_twofactor.two_step_verify, name="two_step_verify"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("school/", include(report_urls.school_patterns)),
    path("school/switch/", views.school_switch, name="school_switch"),
    path("school/audit/", audit_log.audit_log, name="audit_log"),
    path("school/facts/", views.school_facts, name="school_facts"),
    path("lop/", include(report_urls.lop_patterns)),
    path("reports/", include("reports.urls")),
    path("reminders/", include("reminders.urls")),
    path("", include("lending.urls")),
    path("pupils/", include("lending.urls_pupils")),
    path("pupils/", include("households.urls")),
    path("families/", include("households.urls_families")),
    path("families/", include("privacy.urls_families")),
    # Parents' pages: no account, a token in the link.
    path("s/", include("lending.urls_signing")),
    path("q/", include("households.urls_survey_public")),
    path("privacy/", privacy_views.public_privacy, name="public_privacy"),
    path("accounts/", include(account_patterns)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
