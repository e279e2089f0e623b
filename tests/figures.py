"""Setting up many rows in a test that commits (django_db(transaction=True))."""
import contextlib


@contextlib.contextmanager
def figures_refresh_paused():
    """Each committed save queues a refresh of its school's report figures, which the tests run
    eagerly: 0.5-1 s per row on the CI machine (a 28-school report test spent 150 s on it). Where
    the figures are not what the test is about, or it rolls them up once itself, pause that."""
    from reports import signals

    original = signals.mark_changed
    signals.mark_changed = lambda school_ids: None
    try:
        yield
    finally:
        signals.mark_changed = original
