"""The subcommands of ``ragkernel``: each module has ``register(subparsers)`` and its handlers."""
