"""Replies: drafts from templates (``drafting``, the built-ins in
``templates/``) and macros, a template plus its ticket actions (``macros``,
the built-ins in ``builtin_macros/``).
"""
