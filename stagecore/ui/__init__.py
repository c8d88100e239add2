"""The terminal, shared by both front ends (the CLI and the hooks): progress bars (tqdm's owner)."""
