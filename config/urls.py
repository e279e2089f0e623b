from allauth.socialaccount import views as social_views
from anymail.webhooks.brevo import BrevoTrackingWebhookView
from anymail.webhooks.mailjet import MailjetTrackingWebhookView
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from portal import audit_log, school_login, views, views_calendar, views_hooks, views_smartschool, views_twofactor
from portal.forms import EmailLoginForm
from portal.password_reset import ThrottledPasswordResetView
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
    path("password-reset/", ThrottledPasswordResetView.as_view(), name="password_reset"),
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

# "Log in with Microsoft / Google": allauth's OpenID Connect pages only (no allauth sign-up or account pages).
school_login_patterns = [
    # Before allauth's own callback at the same path: ours checks a multi-tenant issuer (portal/school_login.py).
    path("oidc/<str:provider_id>/login/callback/", school_login.callback, name="school_login_callback"),
    path("", include("allauth.socialaccount.providers.openid_connect.urls")),
    path("login/cancelled/", social_views.login_cancelled, name="socialaccount_login_cancelled"),
    path("login/error/", social_views.login_error, name="socialaccount_login_error"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("school/", include(report_urls.school_patterns)),
    path("school/switch/", views.school_switch, name="school_switch"),
    path("school/audit/", audit_log.audit_log, name="audit_log"),
    path("school/documents/", include("portal.urls_documents")),
    path("school/smartschool/", views_smartschool.smartschool_settings, name="smartschool_settings"),
    path("school/calendar/", views_calendar.school_calendar, name="school_calendar"),
    path("school/calendar/fill/", views_calendar.school_calendar_fill, name="school_calendar_fill"),
    path("school/calendar/summer/", views_calendar.school_calendar_summer, name="school_calendar_summer"),
    path("school/calendar/<int:closure_id>/delete/", views_calendar.school_calendar_delete,
         name="school_calendar_delete"),
    path("school/facts/", views.school_facts, name="school_facts"),
    path("lop/", include(report_urls.lop_patterns)),
    path("", include("portal.urls_people")),
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
    path("accounts/school/", include(school_login_patterns)),
    path("i18n/", include("django.conf.urls.i18n")),
    # Providers' news about messages: e-mail (django-anymail) and SMS delivery receipts.
    path("anymail/brevo/tracking/", BrevoTrackingWebhookView.as_view(), name="email_tracking_brevo"),
    path("anymail/mailjet/tracking/", MailjetTrackingWebhookView.as_view(), name="email_tracking_mailjet"),
    path("hooks/sms/<str:provider>/", views_hooks.sms_status, name="sms_status"),
    path("admin/", admin.site.urls),
]
