"""Staff: accounts, their roles at a school or an LOP, invitations, and staff members who borrow a device."""
from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .schools import Lop, School


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """Staff log in with their e-mail address; parents never get an account."""

    username = None
    email = models.EmailField(_("e-mail address"), unique=True)
    preferred_language = models.CharField(
        _("interface language"), max_length=8, choices=[("nl", "Nederlands"), ("en", "English")], default="nl"
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []
    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.get_full_name() or self.email


class Role(models.Model):
    """What a staff user may do, and where. Admins are plain superusers and need no row."""

    class Kind(models.TextChoices):
        COORDINATOR = "coordinator", _("ICT coordinator")
        DIRECTOR = "director", _("School director")
        LOP_STAFF = "lop_staff", _("LOP staff")

    SCHOOL_KINDS = (Kind.COORDINATOR, Kind.DIRECTOR)

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roles")
    kind = models.CharField(_("role"), max_length=16, choices=Kind.choices)
    school = models.ForeignKey(School, null=True, blank=True, on_delete=models.CASCADE, related_name="roles")
    lop = models.ForeignKey(Lop, null=True, blank=True, on_delete=models.CASCADE, related_name="roles")

    SCHOOL_PATH = "school"

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            # A school role points at exactly one school, an LOP role at exactly one LOP.
            models.CheckConstraint(
                name="role_scope_matches_kind",
                condition=(
                    Q(kind__in=["coordinator", "director"], school__isnull=False, lop__isnull=True)
                    | Q(kind="lop_staff", school__isnull=True, lop__isnull=False)
                ),
            ),
            models.UniqueConstraint(fields=["user", "kind", "school", "lop"], name="role_unique_per_scope"),
        ]

    def __str__(self):
        return f"{self.user} – {self.get_kind_display()} – {self.school or self.lop}"


class Invitation(models.Model):
    """An e-mail that offers someone a role: a single-use link that expires (only the token's hash is kept).

    Each send makes a new token, so the link of an earlier send stops working; ``send_count`` tells a
    queued send apart from a newer one. ``sent_at`` is set only once the mail server took the message.
    """

    email = models.EmailField(_("e-mail address"))
    kind = models.CharField(_("role"), max_length=16, choices=Role.Kind.choices)
    school = models.ForeignKey(School, null=True, blank=True, on_delete=models.CASCADE, related_name="invitations")
    lop = models.ForeignKey(Lop, null=True, blank=True, on_delete=models.CASCADE, related_name="invitations")
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    token_hash = models.CharField(max_length=64, blank=True)
    send_count = models.PositiveSmallIntegerField(default=1)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    revoked_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    SCHOOL_PATH = "school"

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.CheckConstraint(
                name="invitation_scope_matches_kind",
                condition=(
                    Q(kind__in=["coordinator", "director"], school__isnull=False, lop__isnull=True)
                    | Q(kind="lop_staff", school__isnull=True, lop__isnull=False)
                ),
            ),
            # A double click on "invite" makes one invitation: one open invitation per address and role.
            models.UniqueConstraint(
                fields=["email", "kind", "school", "lop"], condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                nulls_distinct=False, name="invitation_one_open_per_role",
            ),
            models.UniqueConstraint(fields=["token_hash"], condition=~Q(token_hash=""), name="invitation_token_unique"),
        ]

    def __str__(self):
        return f"{self.email} – {self.get_kind_display()} – {self.school or self.lop}"  # never the token

    @property
    def scope(self):
        return self.school or self.lop

    @property
    def scope_name(self) -> str:
        return (self.school or self.lop).name

    @property
    def link_state(self) -> str:
        """For the lists: "waiting" (not sent yet), "sent" (the link works), or "expired"."""
        if self.sent_at is None:
            return "waiting"
        return "expired" if self.expires_at is None or self.expires_at <= timezone.now() else "sent"


class StaffMember(models.Model):
    """A teacher or other staff member who can borrow a device; needs no portal login."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="staff_members")
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail address"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    SCHOOL_PATH = "school"

    class Meta:
        ordering = ["name"]
        verbose_name = _("staff member")
        verbose_name_plural = _("staff members")

    def __str__(self):
        return self.name
