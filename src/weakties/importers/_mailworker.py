"""A worker process of the email importer's parallel mbox reader.

Started by :class:`weakties.importers.email._Worker` as ``python -m
weakties.importers._mailworker``: it reads the owner's addresses, then tasks ``(path, start,
end, blank)`` from standard input, and writes each range's facts to standard output, all
pickled, until its input closes. Ctrl-C is left to the importing process, which stops it.
"""

from __future__ import annotations

import pickle
import signal
import sys


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from weakties.importers.email import _Reader, read_range

    source, sink = sys.stdin.buffer, sys.stdout.buffer
    reader = _Reader(pickle.load(source))
    while True:
        try:
            path, start, end, blank = pickle.load(source)
        except EOFError:
            return
        pickle.dump(read_range(reader, path, start, end, blank), sink, pickle.HIGHEST_PROTOCOL)
        sink.flush()


if __name__ == "__main__":
    main()
