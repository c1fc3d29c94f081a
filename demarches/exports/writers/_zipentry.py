"""A ZIP entry written from a text stream, compressed in a second thread.

The spreadsheet writers produce their XML as text, row by row. Compressing it (zlib) is a third of
their work, and zlib releases the GIL: handing the encoded blocks to a thread lets the compression
run on another core while the next rows are produced. The queue is bounded, so memory stays flat.
"""

import datetime
import queue
import threading
import zipfile

FLUSH_EVERY = 256 * 1024  # characters buffered before a block goes to the compressing thread
QUEUE_BLOCKS = 4
_END = object()


class StreamedEntry:
    def __init__(self, archive: zipfile.ZipFile, name: str) -> None:
        info = zipfile.ZipInfo(name, date_time=datetime.datetime.now().timetuple()[:6])
        info.compress_type = zipfile.ZIP_DEFLATED
        self._entry = archive.open(info, "w", force_zip64=True)
        self._buffer: list[str] = []
        self._buffered = 0
        self._blocks: queue.Queue = queue.Queue(maxsize=QUEUE_BLOCKS)
        self._error: Exception | None = None
        self._thread = threading.Thread(target=self._compress, name=f"zip-{name}", daemon=True)
        self._thread.start()

    def _compress(self) -> None:
        while (block := self._blocks.get()) is not _END:
            if self._error is None:
                try:
                    self._entry.write(block)
                except Exception as exc:  # noqa: BLE001 (any failure is re-raised by the writing thread at its next call)
                    self._error = exc

    def write(self, text: str) -> None:
        self._buffer.append(text)
        self._buffered += len(text)
        if self._buffered >= FLUSH_EVERY:
            self.flush()

    def flush(self) -> None:
        if self._error is not None:
            raise self._error
        if self._buffer:
            self._blocks.put("".join(self._buffer).encode("utf-8"))
            self._buffer.clear()
            self._buffered = 0

    def close(self) -> None:
        """Write what is left, wait for the compression, close the entry (re-raising its error)."""
        try:
            self.flush()
        finally:
            self._blocks.put(_END)
            self._thread.join()
        if self._error is not None:
            raise self._error
        self._entry.close()

    def abort(self) -> None:
        """Stop the thread after a failure of the writing side, without waiting for the rest."""
        self._error = self._error or RuntimeError("écriture interrompue")
        self._blocks.put(_END)
        self._thread.join()
        try:
            self._entry.close()
        except Exception:  # noqa: BLE001, S110 (the file is being abandoned: the first error is the one reported)
            pass
