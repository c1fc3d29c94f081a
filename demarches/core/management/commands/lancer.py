import os
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Sert la plateforme sur http://127.0.0.1:8000 avec un worker Celery (et son planificateur) à côté."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args, addrport, **options):
        (settings.BASE_DIR / "var").mkdir(exist_ok=True)
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "demarches", "worker", "--beat", "--loglevel", "INFO",
             "--concurrency", "2", "--schedule", str(settings.BASE_DIR / "var" / "celerybeat-schedule")],
            env={**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "demarches.settings.dev")},
        )
        self.stdout.write(self.style.SUCCESS(f"Worker Celery démarré (pid {worker.pid}), broker : {settings.CELERY_BROKER_URL}"))
        try:
            call_command("runserver", addrport, use_reloader=False)
        finally:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.kill()
