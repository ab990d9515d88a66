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

    execute_from_command_line(sys.argv)
