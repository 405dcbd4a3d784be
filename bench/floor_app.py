"""The production app plus bench/action_cost.py's floor route, for bench/throughput.py's floor rows:
`flask --app bench.floor_app serve`, started exactly as `flask --app wsgi serve` is (wsgi.py)."""
from app import boot, create_app
from bench.action_cost import install_floor

app = create_app()
install_floor(app)
if boot.serving():
    boot.start(app)
