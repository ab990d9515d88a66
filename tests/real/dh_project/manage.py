#!/usr/bin/env python
"""manage.py of the minimal django-helpdesk site the real-server tests run.

Runs inside django-helpdesk's own venv (see .ci/setup-real-helpdesks.sh),
never the project's: the project does not depend on Django.
"""

import os
import sys

if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")
    from django.core.management import execute_from_command_line
    from django.core.servers.basehttp import WSGIRequestHandler

    # runserver writes a response's headers and body in separate sends; with
    # Nagle's algorithm on, the body waits for the client's delayed ACK (40 ms
    # on Linux) on every request of a keep-alive connection after the first.
    WSGIRequestHandler.disable_nagle_algorithm = True

    execute_from_command_line(sys.argv)
