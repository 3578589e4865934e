#!/usr/bin/env python3
"""The course's Django project (django-admin startproject mypjt .)."""
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mypjt.settings")
    try:
        from django.core.management import execute_from_command_line
    except ImportError as exc:
        raise ImportError(
            "Django is missing: apt-get install python3-django "
            "(netmodels runs this project with Debian's python3)") from exc
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
