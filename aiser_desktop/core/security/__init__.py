"""Secrets in the OS keyring, and keeping them out of everything else."""
