"""flask commands: principals, schema, audit verification, scheduler workers, the production server."""
import sys

import click
from flask import current_app

from app.actors import REVIEW_ROLES, ROLES
from app.errors import DomainError


def register(app) -> None:
    for group in (principal, db, audit, scheduler_group, serve):
        app.cli.add_command(group)


@click.group()
def principal():
    """Manage principals and their tokens."""


@principal.command("create")
@click.argument("name")
@click.option("--role", required=True, help=f"one of: {', '.join(ROLES)}")
@click.option("--review-role", default=None, help=f"reviewers only, one of: {', '.join(REVIEW_ROLES)}")
@click.option("--tenant", default=None, help="the Weaver store's tenant of the principal (POST /tenants first)")
def principal_create(name, role, review_role, tenant):
    """Create a principal; the token is printed alone on the last line."""
    from app.services.principals import create_principal
    created = _domain(create_principal, name, role, review_role, tenant)
    click.echo(f"created {created['role']} {created['name']}")
    click.echo(created["token"])


@principal.command("list")
def principal_list():
    """List principals (name, role, review role); tokens are never shown again."""
    from app.services.principals import list_principals
    for p in list_principals():
        click.echo(f"{p['name']}\t{p['role']}\t{p['review_role'] or '-'}")


@principal.command("rotate")
@click.argument("name")
def principal_rotate(name):
    """Replace NAME's token (a lost one): the old token stops working; the new one is printed last."""
    from app.services.principals import rotate_token
    token = _domain(rotate_token, name)
    click.echo(f"rotated the token of {name}")
    click.echo(token)


def _domain(use_case, *args):
    try:
        return use_case(*args)
    except DomainError as exc:
        raise click.ClickException(f"{exc.detail} {getattr(exc, 'errors', '') or ''}".strip()) from None


@click.group()
def db():
    """Database schema (Alembic)."""


@db.command("upgrade")
@click.option("--revision", default="head")
def db_upgrade(revision):
    """Apply migrations to DATABASE_URL, then deploy new or changed BPMN."""
    from app.adapters.alembic import upgrade
    from app.boot import prepare_database
    upgrade(current_app.config["DATABASE_URL"], revision)
    for key, version, created in prepare_database(current_app, migrate=False):
        click.echo(f"{key} v{version}{' deployed' if created else ''}")
    click.echo("database is at the latest revision")


@click.group()
def audit():
    """The operation log."""


@audit.command("verify")
def audit_verify():
    """Check every order's hash chain; report the first broken event of each."""
    from app.services.evidence.history import verify_chains
    checked, broken = verify_chains()
    for order_id, reason in broken:
        click.echo(f"BROKEN order {order_id}: {reason}")
    click.echo(f"{checked} chain(s) checked, {len(broken)} broken")
    sys.exit(1 if broken else 0)


@click.group("scheduler")
def scheduler_group():
    """Timer workers."""


@scheduler_group.command("run")
def scheduler_run():
    """Run a scheduler worker until interrupted (any number may run against one PostgreSQL)."""
    from app.boot import configure_logging, tune_collector
    from app.scheduler import scheduler
    configure_logging(current_app.config["LOG_FORMAT"])
    tune_collector(current_app.config["GC_GEN0_THRESHOLD"])
    click.echo("scheduler worker running")
    scheduler.run_forever(current_app._get_current_object())


@click.command("serve")
@click.option("--host", default=None, help="default: SERVE_HOST")
@click.option("--port", type=int, default=None, help="default: SERVE_PORT; 0 picks a free port")
def serve(host, port):
    """Serve the API with waitress until interrupted (production; settings SERVE_* in config/settings.py)."""
    from app.boot import start
    from app.serving import create_server
    app = current_app._get_current_object()
    start(app)
    server = create_server(app, host, port)
    click.echo(f"serving on http://{server.effective_host}:{server.effective_port}")
    server.run()
