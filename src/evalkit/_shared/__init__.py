"""Code shared across evalkit's subsystems, and nowhere else (private: not part of the public API).

Modules
-------
checks
    The language type and check, choice checks, close-match suggestions.
codes
    GB/T 2260 region-code rules: nation, province, prefecture, county.
files
    Atomic writes and memoised file hashes.
numbers
    Number formatting, one function per style.
display
    The result display mixin (escaped HTML for Jupyter and the exported pages).
yamlfile
    The line-aware safe YAML loader behind ``runs.yml`` and the scenario files.
"""
