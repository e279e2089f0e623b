from django.urls import include, path

# One module per subject, so each stays small.
urlpatterns = [
    path("devices/", include("lending.urls_inventory")),
    path("desk/", include("lending.urls_desk")),
    path("agreements/", include("lending.urls_agreements")),
]
