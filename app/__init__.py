"""create_app(config): the one composition root, pure wiring (entry points boot: app/boot.py)."""
from flask import Flask

from config.settings import Config, load


def create_app(config: Config | str | None = None) -> Flask:
    """Build the application: settings, database, engine, API, CLI, pages. Connects to nothing."""
    from app import api as api_package, cli, web
    from flask_smorest import Api

    from app.extensions import state
    from app.services.fulfilment import completion
    from app.services.lifecycle import evidence as lifecycle_evidence
    from app.services.refunds import process as refund_process, renewals as renewal_refunds

    settings = config if isinstance(config, Config) else load(config)
    app = Flask(__name__, instance_relative_config=False)
    app.config.from_object(settings)
    app.config["MAX_CONTENT_LENGTH"] = settings.MAX_ATTACHMENT_BYTES + 1024 * 1024  # multipart framing

    own = state(app, create=True)  # this app's database and runtime; nothing shared with other apps
    own.database.init_app(app)
    own.runtime.init_app(app)
    completion.register()  # the per-kind completion hooks
    refund_process.register()  # refund instances keep their refund's status
    renewal_refunds.register()  # a refunded renewal period settles without ending its order
    lifecycle_evidence.register()  # the renewals section of summary.html
    api = Api(app)
    api_package.register(app, api)
    cli.register(app)
    for blueprint in web.blueprints:
        app.register_blueprint(blueprint)
    return app
