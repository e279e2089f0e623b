import pytest
from django.apps import apps
from django.contrib import admin

OUR_APPS = ("portal", "households", "lending")


@pytest.mark.parametrize(
    "model", [m for app in OUR_APPS for m in apps.get_app_config(app).get_models()], ids=lambda m: m.__name__
)
def test_every_model_is_in_the_admin_with_search_and_filters(model):
    assert admin.site.is_registered(model), f"{model.__name__} is missing from the admin"
    model_admin = admin.site._registry[model]
    assert model_admin.search_fields, f"{model.__name__} admin has no search"
    assert model_admin.list_filter or model_admin.date_hierarchy, f"{model.__name__} admin has no filters"


@pytest.mark.django_db
def test_admin_changelists_open_for_the_admin(admin_user, client):
    client.force_login(admin_user)
    for model in admin.site._registry:
        if model._meta.app_label not in OUR_APPS:
            continue
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        assert client.get(url).status_code == 200, url
