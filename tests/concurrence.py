"""Actions run at the same moment from several connections (PostgreSQL row locks)."""

import threading

from django.core.exceptions import ValidationError
from django.db import connections


def en_parallele(*actions):
    """Run each callable in its own thread (own connection), released together. Returns, for each,
    "ok", the messages of the ValidationError it raised, or any other exception it raised."""
    barrier = threading.Barrier(len(actions))
    outcomes = [None] * len(actions)

    def run(index, action):
        try:
            barrier.wait()
            action()
            outcomes[index] = "ok"
        except ValidationError as error:
            outcomes[index] = " ".join(error.messages)
        except Exception as error:  # noqa: BLE001 — the test reads it
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return outcomes
