"""Test-only seeding endpoint for the django-helpdesk site of the real-server tests.

django-helpdesk's API cannot create queues, staff users or custom fields, nor
write history (ticket and follow-up dates, follow-ups that arrived by mail from
the customer). The seeder needs all of those to load the contract's data set,
so this app adds one admin-only endpoint, ``POST /triage-seed/``, to the test
site. The adapter under test never calls it: it reads and writes through
django-helpdesk's own ``/api/`` only.
"""
