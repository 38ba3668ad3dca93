"""Command-line tools of chaoskit-systems (``python -m chaoskit_systems.tools.<name>``)."""
