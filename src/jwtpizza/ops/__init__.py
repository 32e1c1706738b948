"""The ops component: monitor, alert rules, notification, on-call and incidents.

It imports neither the pizza service nor the factory: it reads them over HTTP, as a real
monitoring system would (see README.md).
"""
