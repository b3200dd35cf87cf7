"""staging-emulator: one local server that emulates five AI virtual-staging vendor APIs."""

__version__ = "0.1.0"
