"""The handling plan of one ticket (``plan``) and the reading of the ticket's
text it is derived from (``reading``).
"""
