"""Storage: the content-addressed object store, the state database, hashing, measuring the
workspace, and the safe (atomic, no-follow) file writes everything above relies on."""
