"""Verification history on this device, and what it is exported as.

* :mod:`.facts`: a verification as the screens read it (:func:`record_of`, :func:`facts_of`;
  what a credential says comes from the engine's ``credentials.read_facts``);
* :mod:`.store`: the SQLite history in the verifier's data directory (:class:`History`);
* :mod:`.csv_export`: the history as CSV; :mod:`.pdf`: one verification as a printable report.
"""

from .csv_export import CSV_COLUMNS, history_csv, write_csv
from .facts import (
    FORMAT_WORDS,
    NO_NAME,
    SOURCE_WORDS,
    CredentialFacts,
    RecordFacts,
    checked_what,
    facts_of,
    fingerprint_of,
    grade_words,
    record_of,
)
from .pdf import pdf_report
from .store import HOME_ENV, Entry, History, verifier_home

__all__ = [
    "CSV_COLUMNS", "FORMAT_WORDS", "HOME_ENV", "NO_NAME", "SOURCE_WORDS", "CredentialFacts", "Entry", "History",
    "RecordFacts", "checked_what", "facts_of", "fingerprint_of", "grade_words", "history_csv", "pdf_report",
    "record_of", "verifier_home", "write_csv",
]
