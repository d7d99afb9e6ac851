"""The JSON API under /api/v1: `api_router` collects every area's endpoints (see routes.py)."""

from app.api.routes import api_router

__all__ = ["api_router"]
