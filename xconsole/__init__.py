"""xconsole: a keyboard-driven terminal console for xAI team billing.

Kept import-free on purpose: `import xconsole` must stay cheap for the CLI and startup time.
"""

__version__ = "0.1.0"
