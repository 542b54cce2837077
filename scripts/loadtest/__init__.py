"""A load generator of our own (`make loadtest`): leaders as websocket sessions, not browsers, so the
figures are the server's (see __main__ for how to run it, client for the protocol it speaks)."""
