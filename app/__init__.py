"""create_app(config): the one composition root."""
import logging

import click
from flask import Flask

from config.settings import Config, load


def create_app(config: Config | str | None = None) -> Flask:
    """Build the application: settings, database, engine, API, CLI, BPMN deployment, scheduler."""
    from app import api as api_package, cli, web
    from app.extensions import api, db, runtime
    from app.scheduler import scheduler
    from app.services.processes.deploy import deploy_directory
    from app.adapters.alembic import upgrade

    settings = config if isinstance(config, Config) else load(config)
    app = Flask(__name__, instance_relative_config=False)
    app.config.from_object(settings)
    app.config["MAX_CONTENT_LENGTH"] = settings.MAX_ATTACHMENT_BYTES + 1024 * 1024  # multipart framing
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("spiff").setLevel(logging.WARNING)  # it logs every task state change at INFO
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # and this one every tick

    db.init_app(app)
    runtime.init_app(app)
    api.init_app(app)
    api_package.register(app, api)
    cli.register(app)
    app.register_blueprint(web.blueprint)
    if settings.AUTO_MIGRATE:
        upgrade(settings.DATABASE_URL)
    deploy_directory(settings.BPMN_DIR)
    if settings.SCHEDULER_ENABLED and _serving():
        scheduler.start_background()
    return app


def _serving() -> bool:
    """True under `flask run`, `flask serve` and WSGI servers; false while a one-shot CLI command loads the app."""
    context = click.get_current_context(silent=True)
    return context is None or context.info_name in ("run", "serve")
