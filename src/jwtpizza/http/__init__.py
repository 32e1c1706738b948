"""The HTTP edge every component shares, one module per concern.

- `errors`: the one error map (`install_error_handlers`), `{"message": ...}` answers;
- `guard`: `EdgeGuard` in front of every request (`install_edge`), built from `proxies` (who
  the client is, `SERVER_OPTIONS` for uvicorn), `body` (the body limit) and `headers` (the
  security headers and content security policies);
- `cors`: CORS for the original's website;
- `bearer`: the one reader of `Authorization: Bearer` headers;
- `health`: `/healthz` and `/readyz`;
- `swagger`: Swagger UI at `/docs` from packaged assets.
"""
