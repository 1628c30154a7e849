"""Headless core: API client, models, money, billing rules, credentials, teams and config.

Never imports Textual, the TUI or the sandbox (enforced by import-linter and a test).
"""
