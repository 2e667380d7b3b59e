"""One module per `veriopt` subcommand."""
