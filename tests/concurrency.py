"""Run writes at the same moment from separate threads, each with its own database connection."""
import contextlib
import threading

import pytest
from django.db import IntegrityError, connection, connections, transaction


def race(*writes, refused=IntegrityError, own_transaction=True):
    """Start every write together; 'created' or 'refused' per write, sorted.

    own_transaction=True opens each write's transaction before the barrier, so all are open before any
    inserts; a service that opens its own transaction runs with own_transaction=False.
    """
    if connection.vendor != "postgresql":
        pytest.skip("races are checked on PostgreSQL, where two real connections block on the index")
    all_started = threading.Barrier(len(writes), timeout=10)
    outcomes = []

    def run(write):
        try:
            with transaction.atomic() if own_transaction else contextlib.nullcontext():
                all_started.wait()
                write()
            outcomes.append("created")
        except refused:
            outcomes.append("refused")
        except Exception as error:  # a deadlock or a timeout must show in the assertion, not vanish
            outcomes.append(f"error: {type(error).__name__}: {error}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(write,)) for write in writes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    return sorted(outcomes)
