"""The emulator's own API under /_emulator: health, clock, reset, accounts, jobs, webhooks, faults."""
