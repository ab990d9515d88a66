"""The knowledge base: ranking articles for a ticket (``ranking``), the KB's
vocabulary and what a query word stands for in it (``vocab``), and WordNet
relatives for words the KB never uses (``thesaurus``, with its data file).
"""
