"""``python -m fotogen ...``: the same command as the ``fotogen`` script (``fotogen dev`` starts its children so).

SIGPIPE keeps Python's default (ignored, so a write to a closed socket raises an error the code handles): a
worker or API writing to a connection Postgres or a client dropped must not be killed by the signal.
"""

from fotogen.cli import main

main()
