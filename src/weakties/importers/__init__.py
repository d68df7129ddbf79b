"""Pure parsers: an export file, folder or zip → a stream of :mod:`weakties.domain.records`.

Importers never touch the database; the store ingests what they yield in one transaction.
"""
