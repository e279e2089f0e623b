"""The people pages (mounted at the root: /school/people/, /lop/<id>/people/, /people/, /invitation/)."""
from django.urls import path

from . import views_invitations, views_people

urlpatterns = [
    path("school/people/", views_people.school_people, name="school_people"),
    path("school/people/invite/", views_people.school_people_invite, name="school_people_invite"),
    path("school/people/roles/<int:role_id>/remove/", views_people.role_remove_view, name="role_remove"),
    path("school/people/staff/add/", views_people.staff_member_add, name="staff_member_add"),
    path("school/people/staff/<int:staff_member_id>/", views_people.staff_member_edit, name="staff_member_edit"),
    path("lop/<int:lop_id>/people/", views_people.lop_people, name="lop_people"),
    path("people/", views_people.admin_people, name="admin_people"),
    path("people/invitations/<int:invitation_id>/resend/", views_people.invitation_resend_view,
         name="invitation_resend"),
    path("people/invitations/<int:invitation_id>/withdraw/", views_people.invitation_revoke_view,
         name="invitation_revoke"),
    # The invited person has no account yet: the link's token is the key, used once.
    path("invitation/<str:token>/", views_invitations.invitation_open, name="invitation_open"),
    path("invitation/", views_invitations.invitation_accept, name="invitation_accept"),
]
