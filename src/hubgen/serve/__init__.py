"""`hubgen serve`: the watcher and lifecycle (`server`) and the HTTP side (`http`), over a `Session` that
updates in memory. The HTTP side knows the server only through the `Served` protocol."""
