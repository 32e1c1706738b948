"""Progress across incidents: MTTD, MTTA, MTTM and MTTR over time, by fault type, by responder."""
