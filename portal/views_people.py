"""The people pages: a school's people and roles, an LOP's directors, the administrator's invitations."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import grants, people
from .access import get_scoped_or_404, lop_staff_required, school_required
from .forms_people import AdminInviteForm, InviteForm, LopInviteForm, ResendForm, StaffMemberForm
from .invitations import InvitationError, invitation_create, invitation_resend, invitation_revoke
from .models import Invitation, Role, StaffMember


def _base_url(request) -> str:
    return request.build_absolute_uri("/")


def _invite(request, form, **scope) -> bool:
    try:
        invitation = invitation_create(email=form.cleaned_data["email"], by=request.user, base_url=_base_url(request),
                                       **scope)
    except InvitationError as refusal:
        form.add_error("email", str(refusal))
        return False
    messages.success(request, _("Invitation for %(email)s made; the e-mail leaves in a moment.") % {
        "email": invitation.email})
    return True


@require_http_methods(["GET"])
@school_required
def school_people(request):
    context = people.school_people(request.school)
    kinds = grants.grantable_kinds(request.user, request.school)
    context.update(
        invite_form=InviteForm(kinds=kinds) if kinds else None,
        staff_form=StaffMemberForm(creating=True),
        removable={role.pk for role in context["roles"] if grants.may_remove(request.user, role)},
        manages_invitations=bool(kinds),
    )
    return render(request, "portal/school_people.html", context)


@school_required
def school_people_invite(request):
    kinds = grants.grantable_kinds(request.user, request.school)
    if not kinds:
        raise PermissionDenied
    form = InviteForm(request.POST or None, kinds=kinds)
    if request.method == "POST" and form.is_valid() and _invite(request, form, kind=form.cleaned_data["kind"],
                                                                school=request.school):
        return redirect("school_people")
    return render(request, "portal/people_invite.html", {"form": form})


@login_required
def invitation_resend_view(request, invitation_id):
    invitation = get_object_or_404(Invitation.objects.select_related("school", "lop"), pk=invitation_id)
    if not grants.may_manage_invitation(request.user, invitation):
        raise PermissionDenied
    form = ResendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation_resend(invitation=invitation, by=request.user, base_url=_base_url(request),
                              seen_send_count=form.cleaned_data["send_count"])
            messages.success(request, _("The invitation for %(email)s is sent again with a new link; the old link "
                                        "no longer works.") % {"email": invitation.email})
        except InvitationError as refusal:
            messages.error(request, str(refusal))
    return redirect(_back(request, invitation))


@login_required
def invitation_revoke_view(request, invitation_id):
    invitation = get_object_or_404(Invitation.objects.select_related("school", "lop"), pk=invitation_id)
    if not grants.may_manage_invitation(request.user, invitation):
        raise PermissionDenied
    if request.method == "POST":
        invitation_revoke(invitation=invitation, by=request.user)
        messages.success(request, _("The invitation for %(email)s is withdrawn; its link no longer works.") % {
            "email": invitation.email})
    return redirect(_back(request, invitation))


def _back(request, invitation) -> str:
    if invitation.lop_id or request.user.is_superuser and not grants.works_at(request.user, invitation.school):
        return reverse("admin_people")
    if grants.works_at(request.user, invitation.school):
        return reverse("school_people")
    return reverse("lop_people", kwargs={"lop_id": invitation.school.lop_id})


@school_required
def role_remove_view(request, role_id):
    role = get_scoped_or_404(Role.objects.select_related("user", "school"), request, pk=role_id)
    if not grants.may_remove(request.user, role):
        raise PermissionDenied
    if request.method == "POST":
        people.role_remove(role=role, by=request.user)
        messages.success(request, _("%(user)s is no longer %(role)s at this school.") % {
            "user": role.user, "role": role.get_kind_display()})
        return redirect("school_people")
    return render(request, "portal/role_remove.html", {"role": role})


@school_required
def staff_member_add(request):
    form = StaffMemberForm(request.POST or None, creating=True)
    if request.method == "POST" and form.is_valid():
        member = people.staff_member_create(school=request.school, by=request.user, name=form.cleaned_data["name"],
                                            email=form.cleaned_data["email"])
        messages.success(request, _("%(name)s can now borrow a device at the desk.") % {"name": member.name})
        return redirect("school_people")
    return render(request, "portal/staff_member_form.html", {"form": form})


@school_required
def staff_member_edit(request, staff_member_id):
    member = get_scoped_or_404(StaffMember, request, pk=staff_member_id)
    form = StaffMemberForm(request.POST or None, instance=StaffMember.objects.get(pk=member.pk))
    if request.method == "POST" and form.is_valid():
        people.staff_member_update(staff_member=member, by=request.user, **form.cleaned_data)
        messages.success(request, _("Saved."))
        return redirect("school_people")
    return render(request, "portal/staff_member_form.html", {"form": form, "member": member})


# --- LOP staff: the directors of the schools in their LOP ----------------------------------------------


@lop_staff_required
def lop_people(request, lop_id):
    lop = get_object_or_404(request.lops, pk=lop_id)
    form = LopInviteForm(request.POST or None, lop=lop)
    if request.method == "POST" and form.is_valid() and _invite(request, form, kind=Role.Kind.DIRECTOR,
                                                                school=form.cleaned_data["school"]):
        return redirect("lop_people", lop_id=lop.pk)
    schools = list(lop.schools.order_by("name"))
    directors = Role.objects.filter(school__lop=lop, kind=Role.Kind.DIRECTOR).select_related("user")
    open_invitations = Invitation.objects.filter(school__lop=lop, kind=Role.Kind.DIRECTOR, accepted_at__isnull=True,
                                                 revoked_at__isnull=True).select_related("invited_by")
    for school in schools:
        school.directors = [role.user for role in directors if role.school_id == school.pk]
        school.open_invitations = [i for i in open_invitations if i.school_id == school.pk]
    return render(request, "portal/lop_people.html", {"lop": lop, "schools": schools, "form": form})


# --- the administrator ----------------------------------------------------------------------------------


@login_required
def admin_people(request):
    if not request.user.is_superuser:
        raise PermissionDenied
    form = AdminInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _invite(
            request, form, kind=form.cleaned_data["kind"], school=form.cleaned_data["school"],
            lop=form.cleaned_data["lop"]):
        return redirect("admin_people")
    invitations = Invitation.objects.filter(accepted_at__isnull=True, revoked_at__isnull=True).select_related(
        "school", "lop", "invited_by")[:200]
    return render(request, "portal/admin_people.html", {"form": form, "invitations": invitations})
