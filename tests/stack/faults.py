"""Loaded by the stack test's Celery worker only (``celery worker --include=tests.stack.faults``).

While the file named by CLAS_STACK_PAUSE_FILE exists, a session export waits just before it
builds its document (the job is then running, at 30 %): the test stops Redis or kills the worker
at that moment, in the middle of a task, then removes the file."""

import os
import time

from committee import exports

PAUSE_FILE = os.environ.get("CLAS_STACK_PAUSE_FILE", "")
LONGEST_PAUSE = 120  # seconds: never hang a worker for good


def _pausing(build):
    def wrapper(*args, **kwargs):
        deadline = time.monotonic() + LONGEST_PAUSE
        while PAUSE_FILE and os.path.exists(PAUSE_FILE) and time.monotonic() < deadline:
            time.sleep(0.1)
        return build(*args, **kwargs)

    return wrapper


for _name in ("agrement_pdf", "agrement_xlsx", "letters_by_carrier"):
    setattr(exports, _name, _pausing(getattr(exports, _name)))
