"""Tests an attacker would write: hostile repositories and remotes, crashes, fuzzed parsers."""
