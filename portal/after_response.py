"""Queue a task after commit, and never run it inside the request that asked for it.

In production the broker takes the task and a worker runs it. Without a broker (`make run`, where
Celery runs tasks eagerly) the task would run inside the request that committed, and a hand-out
would wait for WeasyPrint (1.2-2.3 s a PDF) while the coordinator scans the next device: there the
task waits until the response has gone out (``request_finished``) and runs then. Outside a request
(a management command, a test calling a service) an eager task runs at commit, as before.
"""
import threading

from celery import current_app
from django.core.signals import request_finished, request_started
from django.db import transaction

_state = threading.local()


def _request_started(**kwargs):
    _state.in_request, _state.waiting = True, []


def _request_finished(**kwargs):
    waiting, _state.in_request, _state.waiting = getattr(_state, "waiting", []), False, []
    for task, args in waiting:
        task.delay(*args)


request_started.connect(_request_started, dispatch_uid="portal.after_response.started")
request_finished.connect(_request_finished, dispatch_uid="portal.after_response.finished")


def delay_after_commit(task, *args) -> None:
    """``task.delay(*args)`` once the transaction commits; eager tasks wait for the response."""

    def send():
        if current_app.conf.task_always_eager and getattr(_state, "in_request", False):
            _state.waiting.append((task, args))
        else:
            task.delay(*args)

    transaction.on_commit(send)
