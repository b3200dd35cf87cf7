"""The engine: clock, store, accounts, jobs, media, renders, webhooks, faults. Knows no vendor."""
