"""Measurements that need more set-up than a GET: the checkout POST."""
from django.db.models import Exists, OuterRef

from .harness import measure


def _checkout_action(world, client):
    from households.models import Pupil
    from lending.models import Device, Loan

    school = world["school"]
    devices = iter(Device.objects.filter(school=school, status="available").order_by("pk")[:200])
    has_loan = Loan.objects.filter(pupil=OuterRef("pk"), status="active")
    pupils = iter(Pupil.objects.filter(school=school).exclude(Exists(has_loan)).order_by("pk")[:200])

    def checkout():
        device, pupil = next(devices), next(pupils)
        response = client.post("/desk/", {"asset_tag": device.asset_tag, "borrower": f"pupil:{pupil.pk}",
                                          "condition_out": "good", "confirm": "1"})
        assert response.status_code == 302, response.status_code
        assert Loan.objects.filter(device=device, status="active").exists()

    return checkout


def _pdf_actions(world):
    from lending.models import Agreement
    from lending.pdf import render_document

    agreement = (Agreement.objects.filter(loan__device__school=world["school"])
                 .select_related("loan__device__school", "loan__pupil__household", "terms").first())
    if agreement is None:
        return []
    french = Agreement.objects.get(pk=agreement.pk)
    french.language = "fr"
    return [
        ("agreement PDF render (nl, 1 page)", lambda: render_document(agreement)),
        ("agreement PDF render (fr, 1 page)", lambda: render_document(french)),
        ("signed agreement PDF render (2 pages)", lambda: render_document(agreement, signed=True)),
    ]


def run(world, client, *, runs):
    from django.urls import NoReverseMatch, reverse

    try:
        reverse("desk_checkout")
    except NoReverseMatch:
        return []
    from . import checkout

    results = checkout.run(world, client, runs=runs)
    for label, action in _pdf_actions(world):
        results.append(measure(label, action, runs=runs, count_queries=False, trace_memory=True))
    return results
