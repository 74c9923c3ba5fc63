"""Counterpart: the Equitable Partnerships Accountability Toolkit as a web application."""
