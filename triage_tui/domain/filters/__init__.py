"""The filter language of views and sweeps: parsing (``language``), its
conditions (``terms``), free words tolerant of a typo (``word_match``) and the
evaluation over a whole list of rows at C speed (``row_index``).
"""
