"""Process-level policy that is not domain code, one module per mechanism, wired in create_app."""
