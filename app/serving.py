"""The production HTTP server: waitress, with the limits that keep slow clients off the worker threads.

waitress reads each request (headers and body, spooled to a temporary file past `inbuf_overflow`) on
its I/O thread and hands it to a worker thread only once it is complete, so a client that sends
half a request and stalls holds a connection slot, never a thread; `channel_timeout` closes it."""
import waitress

HEADER_BYTES = 64 * 1024  # the API's requests carry a bearer token and a few small headers
SPOOL_BYTES = 512 * 1024  # a request body larger than this waits in a temporary file, not in memory


def server_options(config) -> dict:
    """waitress adjustments from the app's settings (config/settings.py, SERVE_*)."""
    return {"threads": config["SERVE_THREADS"], "connection_limit": config["SERVE_CONNECTION_LIMIT"],
            "channel_timeout": config["SERVE_CHANNEL_TIMEOUT"],
            "cleanup_interval": config["SERVE_CLEANUP_INTERVAL"],
            "max_request_body_size": config["MAX_CONTENT_LENGTH"], "max_request_header_size": HEADER_BYTES,
            "inbuf_overflow": SPOOL_BYTES,
            "asyncore_use_poll": True,  # select() stops at 1024 descriptors; poll() does not
            "ident": "fulfilment"}


def create_server(app, host: str | None = None, port: int | None = None):
    """A waitress server for `app` on host:port (port 0: any free port), not yet running."""
    return waitress.create_server(app, host=host or app.config["SERVE_HOST"],
                                  port=app.config["SERVE_PORT"] if port is None else port,
                                  **server_options(app.config))
