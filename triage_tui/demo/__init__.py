"""The demo helpdesk: Polaris, a fictional SaaS, written into a local helpdesk file.

``generator.generate`` seeds the embedded helpdesk (``adapters.local``) with
deterministic tickets, people and KB articles for ``triage demo``, the
screenshots, the benchmarks and the tests. Nothing below the command line
imports it.
"""
