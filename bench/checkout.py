"""The checkout against its bare writes, measured interleaved (issue 17, goal: at most 3x).

The floor is what a checkout has to write, as plain SQL through a raw cursor in one transaction:
claim the device (UPDATE), insert the loan, its agreement and its audit row, commit. Each run of the
checkout is followed by a run of the floor, so a busy moment on the shared machine slows both alike;
the ratio is taken per pair and its median reported beside the medians of each side.
"""
import statistics
import time
import uuid

from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from .harness import Result


def _pairs(school, count, *, newest):
    """Devices still available, each with a pupil without a loan: one pair per checkout."""
    return iter(zip(*_spare(school, count, newest=newest), strict=False))


def _spare(school, count, *, newest):
    from households.models import Pupil
    from lending.models import Device, Loan

    order = "-pk" if newest else "pk"
    devices = list(Device.objects.filter(school=school, status="available").select_related("school")
                   .order_by(order)[:count])
    has_loan = Loan.objects.filter(pupil=OuterRef("pk"), status="active")
    pupils = list(Pupil.objects.filter(school=school, active=True).exclude(Exists(has_loan))
                  .select_related("household").order_by(order)[:count])
    return devices, pupils


def bare_writes(school, user, count):
    """One checkout's writes as four plain statements and a commit."""
    pairs = _pairs(school, count, newest=True)

    def run():
        device, pupil = next(pairs)
        now, today = timezone.now(), timezone.localdate()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE lending_device SET status = 'on_loan' WHERE id = %s AND status = 'available'",
                           [device.pk])
            cursor.execute(
                "INSERT INTO lending_loan (device_id, pupil_id, status, started_at, due_policy, due_on, condition_out,"
                " condition_in, accessories_out, accessories_in, note, return_photo, handed_out_by_id, checkout_key)"
                " VALUES (%s, %s, 'active', %s, 'school_year', %s, 'good', '', '[]', '[]', '', '', %s, %s) RETURNING id",
                [device.pk, pupil.pk, now, today, user.pk, uuid.uuid4()])
            loan_id = cursor.fetchone()[0]
            cursor.execute(
                "INSERT INTO lending_agreement (loan_id, signer, text_version, language, deposit, status, signed_method,"
                " created_at, pdf, signed_pdf, paper_scan, signer_name, signer_user_agent, signature_image,"
                " text_sha256, pdf_sha256, question) VALUES (%s, 'guardian', 'bench', 'nl', 0, 'draft', '', %s, '',"
                " '', '', '', '', '', '', '', '')", [loan_id, now])
            cursor.execute(
                "INSERT INTO portal_auditevent (at, actor_id, school_id, action, object_type, object_id, after)"
                " VALUES (%s, %s, %s, 'loan.checked_out', 'lending.loan', %s, %s)",
                [now, user.pk, school.pk, str(loan_id), '{"device": %d}' % device.pk])

    return run


def service(school, user, count):
    """lending.desk.loan_checkout, as the confirm POST calls it (device and pupil as the form loads them)."""
    from lending import desk

    pairs = _pairs(school, count, newest=False)

    def run():
        device, pupil = next(pairs)
        desk.loan_checkout(device=device, pupil=pupil, by=user, checkout_key=uuid.uuid4())

    return run


def page(school, client, count):
    """The confirm POST through Django's test client (session, login, form, service, redirect)."""
    pairs = _pairs(school, count, newest=False)

    def run():
        device, pupil = next(pairs)
        response = client.post("/desk/", {"asset_tag": device.asset_tag, "borrower": f"pupil:{pupil.pk}",
                                          "condition_out": "good", "confirm": "1", "checkout_key": str(uuid.uuid4())})
        assert response.status_code == 302, response.status_code

    return run


def interleaved(name, action, floor, *, runs, warmup=3, note=""):
    for _ in range(warmup):
        action()
        floor()
    own, bare, ratios = [], [], []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        middle = time.perf_counter()
        floor()
        end = time.perf_counter()
        own.append((middle - start) * 1000)
        bare.append((end - middle) * 1000)
        ratios.append(own[-1] / bare[-1])
    ratio = statistics.median(ratios)
    with CaptureQueriesContext(connection) as captured:
        action()
    own.sort()
    p90 = own[-(-len(own) * 9 // 10) - 1]
    return Result(name, statistics.median(own), p90, runs, len(captured.captured_queries), None,
                  f"{note} median ratio to its bare writes, run pair by pair: {ratio:.2f}x "
                  f"(ratios from {min(ratios):.2f}x to {max(ratios):.2f}x)".strip(),
                  statistics.median(bare))


def run(world, client, *, runs):
    school, user = world["school"], world["user"]
    count = runs + 8  # warm-up, runs and the counted run; the service and the page each take their own pairs
    results = [
        interleaved("checkout service loan_checkout (loan + agreement + audit)", service(school, user, count),
                    bare_writes(school, user, 2 * count), runs=runs),
        interleaved("checkout POST /desk/ (whole request)", page(school, client, count),
                    bare_writes(school, user, 2 * count), runs=runs),
    ]
    return results
