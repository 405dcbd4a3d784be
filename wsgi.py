"""WSGI entry point: `flask --app wsgi run` (development), `flask --app wsgi serve` (production, waitress)."""
from app import boot, create_app

app = create_app()
if boot.serving():  # the embedded run and WSGI servers boot; one-shot CLI commands only wire
    boot.start(app)
