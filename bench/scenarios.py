"""What the bench measures. A page that does not exist yet is reported as such, not faked."""
from django.test import Client
from django.urls import NoReverseMatch, reverse

from .harness import measure


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def _page(client, url_name, **kwargs):
    try:
        url = reverse(url_name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None

    def get():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    return get


def run_all(world, *, runs):
    client = client_for(world["user"])
    results = []
    for label, url_name in [
        ("coordinator dashboard GET /school/", "school_dashboard"),
        ("device list GET /devices/", "device_list"),
        ("pupil list GET /pupils/", "pupil_list"),
    ]:
        action = _page(client, url_name)
        if action is None:
            print(f"  (skipped: {label}: page not built yet)")
            continue
        results.append(measure(label, action, runs=runs))
    from . import extra, reports

    results.extend(extra.run(world, client, runs=runs))
    results.extend(reports.run(world, client, runs=runs))
    return results
