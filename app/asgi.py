"""The ASGI application uvicorn serves (`app.asgi:app`): create_app with what only a served process does
(heap tuning, the render process started at once and stopped first on a signal)."""

from app.main import create_app

app = create_app(served=True)
