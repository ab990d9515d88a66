"""Safeguards on a reply draft: the checks (``checks``), their configuration
and compiled matchers (``match``) and the reviewed phrase tables (``phrases``).
"""
