"""Browser tests of the built site (book and decks): served under a sub-path, gzipped, offline."""
