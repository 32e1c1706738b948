"""The dead man's switch: the always-firing `Watchdog` alert as a heartbeat, and a page when
it stops arriving."""
