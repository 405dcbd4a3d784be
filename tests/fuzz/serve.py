"""`python -m tests.fuzz.serve`: the app (settings from the environment) on waitress at a free port of
127.0.0.1, with the fuzzer's seed data. Its first stdout line is `FUZZ-SERVER {json}` with the base URL,
the tokens and the seeded ids; then it serves until terminated."""
import json
import sys

from waitress import create_server


def main() -> None:
    from app import boot, create_app
    from tests.fuzz.seed import seed
    app = create_app()
    boot.prepare_database(app)
    seeded = seed(app)
    server = create_server(app, host="127.0.0.1", port=0, threads=8)
    print("FUZZ-SERVER " + json.dumps({"url": f"http://127.0.0.1:{server.effective_port}", **seeded}), flush=True)
    server.run()


if __name__ == "__main__":
    sys.exit(main())
