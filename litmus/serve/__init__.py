"""`litmus serve`: a local web page and a JSON API over the checker (Starlette on uvicorn, the
`serve` extra). `request.py` reads and bounds what a client sends, `worker.py` runs one request in
a worker process, `pool.py` keeps a bounded set of those processes with a deadline per request,
`app.py` is the web application; `static/` holds the page. Only `app.py` imports the web stack."""
