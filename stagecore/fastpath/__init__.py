"""The hooks' no-op answers, read with the standard library only (`python -S`), and the records
they are read from. Kept empty so that importing a module here costs nothing else."""
