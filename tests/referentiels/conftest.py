import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

RESPONSES = Path(__file__).resolve().parent / "reponses"


@pytest.fixture(autouse=True)
def _referentiels_echantillon(settings):
    """Reference data come from the small bundled sample (loaded on first use, in each test's transaction)."""
    settings.REFERENTIELS_SOURCE = "echantillon"
    settings.REFERENTIELS_ADAPTATEURS = {}


class Service:
    """What the local server answers: a recorded file, a status, and how long it waits first."""

    def __init__(self):
        self.fichier, self.corps, self.status, self.attente, self.requetes = None, None, 200, 0.0, []


@pytest.fixture
def serveur():
    """A local HTTP server answering every GET with `service.corps` or a recorded response (reponses/)."""
    service = Service()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            service.requetes.append(self.path)
            time.sleep(service.attente)
            body = service.corps if service.corps is not None else (RESPONSES / service.fichier).read_bytes() if service.fichier else b"Internal Server Error"
            try:
                self.send_response(service.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    service.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield service
    httpd.shutdown()
    httpd.server_close()
