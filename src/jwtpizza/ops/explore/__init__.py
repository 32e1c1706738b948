"""What the ops console reads: range queries over the monitor's window, the components' log
search and the factory's chaos control, each behind the admin check."""
