"""Local stand-ins for the platforms' HTTP APIs.

Tests run against real sockets on 127.0.0.1 so the whole client stack
(session, adapter, retries, timeouts) is exercised without any network.
"""
