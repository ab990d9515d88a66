"""Fake helpdesk servers speaking real HTTP on 127.0.0.1 (see ``server.FakeServer``)."""
