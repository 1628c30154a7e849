"""The sandbox: a local xAI Management API (same paths and JSON shapes) backed by SQLite.

It implements the real billing, key and audit endpoints plus the console-only features as
extension endpoints (design.md section 5), enforces the console's billing rules, and seeds
believable demo teams. Imported lazily: only `--sandbox`, `sandbox serve` and tests load it.
"""
