"""vroeg: the Leefbaarometer early-warning (vroegsignalering) workbench."""
__version__ = "0.1.0"
