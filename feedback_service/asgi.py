"""The ASGI app for uvicorn: `feedback_service.asgi:app`."""

from feedback_service.app import create_app

app = create_app()
