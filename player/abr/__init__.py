"""Adaptive bitrate: a bandwidth meter, the policies and a trace-driven
simulator. Pure code: no threads, no sockets, no wall clock."""
