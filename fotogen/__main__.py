"""``python -m fotogen ...``: the same command as the ``fotogen`` script (``fotogen dev`` starts its children so)."""

import signal

from fotogen.cli import main

# Output piped into `head` ends quietly instead of with a BrokenPipeError traceback.
signal.signal(signal.SIGPIPE, signal.SIG_DFL)
main()
