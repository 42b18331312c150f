"""Imported by the race tests' fork server only: loads the app's modules once for every process
forked from it. The app made here is thrown away and never touches a database."""

from tests import race_actions  # noqa: F401  (the actions the race workers run)
from tests.process_apps import app_for_process

app_for_process("sqlite://")
