"""The case files are tables read by tests/test_bad_inputs.py, not modules to import.

They use the names ``Case``, ``fx`` and ``hs`` that the table runner gives them, so
importing them directly (as ``--doctest-modules`` would) fails; skip collecting them.
"""

collect_ignore_glob = ["cases_*.py"]
