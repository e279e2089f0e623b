"""A world of roll-up rows made up directly (no pupils or loans behind them): thirty schools in three
LOPs with many counts near the threshold, so many cells hide. Used by the disclosure proof and by
the check that the stored parts add up to what the schools' rows say."""
import contextlib
import random
from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine
from django.utils import timezone

from portal.models import Lop
from reports import rollup
from reports.figures import SchoolYear, empty_counts
from reports.models import SchoolMonthFigures, SchoolYearFigures
from reports.suppression import STATIC

from ..factories import SchoolFactory

YEARS = (2025, 2026)


def random_counts(rng, small):
    """One school's consistent figures; ``small`` schools have counts around the threshold."""
    top = 6 if small else 40
    c = empty_counts()
    c["in_scope"] = rng.randint(0, top)
    c["flagged"] = rng.randint(0, c["in_scope"])
    c["open_pupil"] = rng.randint(0, top)
    c["covered"] = rng.randint(0, min(c["flagged"], c["open_pupil"]))
    c["loans_started"] = rng.randint(0, c["open_pupil"] + 3)
    c["signed"] = rng.randint(0, c["open_pupil"])
    c["paper"] = rng.randint(0, c["signed"])
    c["households"] = c["in_scope"] + rng.randint(0, 5)
    c["no_internet"] = rng.randint(0, min(c["households"], 8))
    c["issued"] = rng.randint(0, 8)
    c["activated"] = rng.randint(0, c["issued"])
    for kind in ("damage", "loss", "theft", "staff"):
        c[kind] = rng.choice([0, 0, 1, 2, 3, 6])
    c["devices"] = c["laptop"] = rng.randint(0, 30)
    return c


@contextlib.contextmanager
def random_world():
    """Three LOPs, schools over two provinces, both levels, both types and three networks: strata of
    one, two, a few and many schools, many counts near the threshold."""
    with time_machine.travel(datetime(2026, 11, 23, 12, tzinfo=ZoneInfo("Europe/Brussels")), tick=False):
        rng = random.Random(14)
        lops = [Lop.objects.create(name=f"LOP {n}", level="both", area="x") for n in range(3)]
        schools = []
        for n in range(30):
            lop = lops[n % 3]
            schools.append(SchoolFactory(
                name=f"School {n:02d}", lop=lop, province=["antwerpen", "limburg"][n % 7 == 0],
                level=["primary", "secondary"][n % 4 == 0], special_needs=n % 11 == 0,
                network=["go", "vgo", "vgo", "ogo"][n % 4]))
        now = timezone.now()
        statics = {}
        for school in schools:
            small = rng.random() < 0.6
            for year in YEARS:
                counts = random_counts(rng, small)
                if school.pk in statics:  # counted as today: the same in both years
                    counts.update(statics[school.pk])
                    counts["covered"] = min(counts["covered"], counts["flagged"])
                    counts["households"] = max(counts["households"], counts["no_internet"])
                statics[school.pk] = {f: counts[f] for f in (*STATIC, "households")}
                SchoolYearFigures.objects.create(school=school, start_year=year, counts=counts, computed_at=now)
                months = [m.date() for m in SchoolYear(year).months()]
                for index, month in enumerate(months):
                    last = index == len(months) - 1
                    SchoolMonthFigures.objects.create(
                        school=school, month=month, open_pupil=counts["open_pupil"] if last else rng.randint(0, 9),
                        signed=counts["signed"] if last else 0, issued=counts["issued"] if index == 0 else 0)
        rollup.protect_strata(type(schools[0]).objects.all())
        yield {"lops": lops, "schools": schools}


