"""WSGI entry point: `flask --app wsgi run` (development), `flask --app wsgi serve` (production, waitress)."""
from app import create_app

app = create_app()
