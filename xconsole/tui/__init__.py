"""The Textual UI. Talks to xconsole.core only (through a Session); never builds URLs, never
parses JSON, never calls the network or the keyring on the UI thread."""
