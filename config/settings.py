"""Settings classes, read from the environment when the app is created (never at import)."""
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    """Defaults shared by every environment."""

    TESTING = False
    SCHEDULER_DEFAULT = True
    LOG_FORMAT_DEFAULT = "text"  # a person reads the embedded default's console
    NOTIFICATION_SENDERS_DEFAULT = ""  # app/services/core/senders.py: log, email, sms

    def __init__(self) -> None:
        self.DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE / 'platform.db'}"
        self.ATTACHMENT_DIR = os.environ.get("ATTACHMENT_DIR") or str(INSTANCE / "attachments")
        self.SCHEDULER_ENABLED = _flag("SCHEDULER_ENABLED", self.SCHEDULER_DEFAULT)
        self.TEST_CLOCK = _flag("TEST_CLOCK", False)
        self.MAX_ATTACHMENT_BYTES = int(os.environ.get("MAX_ATTACHMENT_BYTES", 20 * 1024 * 1024))
        self.MAX_BPMN_BYTES = int(os.environ.get("MAX_BPMN_BYTES", 1024 * 1024))
        self.MAX_JSON_BYTES = int(os.environ.get("MAX_JSON_BYTES", 1024 * 1024))
        self.BPMN_DIR = os.environ.get("BPMN_DIR") or str(ROOT / "bpmn")
        self.ROUTING_FILE = os.environ.get("ROUTING_FILE") or str(Path(__file__).with_name("routing.json"))
        self.AUTO_MIGRATE = _flag("AUTO_MIGRATE", True)
        self.LOG_FORMAT = os.environ.get("LOG_FORMAT") or self.LOG_FORMAT_DEFAULT  # json | text
        senders = os.environ.get("NOTIFICATION_SENDERS", self.NOTIFICATION_SENDERS_DEFAULT)
        self.NOTIFICATION_SENDERS = tuple(name.strip() for name in senders.split(",") if name.strip())
        self.SMTP_HOST = os.environ.get("SMTP_HOST") or "127.0.0.1"
        self.SMTP_PORT = int(os.environ.get("SMTP_PORT", 25))
        self.MAIL_FROM = os.environ.get("MAIL_FROM") or "noreply@marketplace.invalid"
        self.NOTIFY_EMAIL_TEMPLATE = os.environ.get("NOTIFY_EMAIL_TEMPLATE") or "{name}@marketplace.invalid"
        self.SMS_GATEWAY_URL = os.environ.get("SMS_GATEWAY_URL") or ""
        self.WEAVER_TRIAL_PERIOD = os.environ.get("WEAVER_TRIAL_PERIOD") or "P7D"  # 限时体验: 免费使用7天
        self.SCHEDULER_MAX_WAIT_SECONDS = float(os.environ.get("SCHEDULER_MAX_WAIT_SECONDS", 30))
        # a serving or scheduler process collects its young objects every this many surviving allocations, with
        # what start-up built frozen out of the collector's sight (app/boot.py, tune_collector); 0: Python's own
        self.GC_GEN0_THRESHOLD = int(os.environ.get("GC_GEN0_THRESHOLD", 20_000))
        # merchant callbacks (docs/decisions.md, "Merchant callbacks"): the platform key every derived secret
        # comes from (SECRETS_KEY, else a key file made on first use), the guide's 5 s timeout, a dispatcher's
        # lease on the callbacks it claimed, how many it claims at once
        self.SECRETS_KEY = os.environ.get("SECRETS_KEY") or None
        self.SECRETS_KEY_FILE = os.environ.get("SECRETS_KEY_FILE") or str(INSTANCE / "secrets.key")
        self.CALLBACK_TIMEOUT_SECONDS = float(os.environ.get("CALLBACK_TIMEOUT_SECONDS", 5))
        self.CALLBACK_LEASE_SECONDS = float(os.environ.get("CALLBACK_LEASE_SECONDS", 120))
        self.CALLBACK_BATCH = int(os.environ.get("CALLBACK_BATCH", 10))
        # After validity ends (docs/decisions.md, "Renewals, expiry and trials"): `expired` through the grace
        # and then the retention period, `released` after both; auto-renewal runs this long before the end.
        self.GRACE_PERIOD = os.environ.get("GRACE_PERIOD") or "P15D"
        self.RETENTION_PERIOD = os.environ.get("RETENTION_PERIOD") or "P15D"
        self.AUTO_RENEW_LEAD = os.environ.get("AUTO_RENEW_LEAD") or "P7D"
        # `flask --app wsgi serve` (waitress, app/serving.py); timeouts in whole seconds
        self.SERVE_HOST = os.environ.get("SERVE_HOST") or "127.0.0.1"
        self.SERVE_PORT = int(os.environ.get("SERVE_PORT", 8000))
        self.SERVE_THREADS = int(os.environ.get("SERVE_THREADS", 8))
        self.SERVE_CONNECTION_LIMIT = int(os.environ.get("SERVE_CONNECTION_LIMIT", 500))
        self.SERVE_CHANNEL_TIMEOUT = int(os.environ.get("SERVE_CHANNEL_TIMEOUT", 30))  # idle connection
        self.SERVE_CLEANUP_INTERVAL = int(os.environ.get("SERVE_CLEANUP_INTERVAL", 10))  # how often checked
        self.API_TITLE = "Fulfilment platform"
        self.API_VERSION = "v1"
        self.OPENAPI_VERSION = "3.0.3"
        self.OPENAPI_URL_PREFIX = "/api"
        self.OPENAPI_JSON_PATH = "openapi.json"
        self.OPENAPI_SWAGGER_UI_PATH = "docs"
        self.OPENAPI_SWAGGER_UI_URL = "/api/docs/assets/"  # app/web: served from the swagger-ui-dist package
        self.OPENAPI_SWAGGER_UI_CONFIG = {"validatorUrl": None}  # no call to swagger.io's validator: offline
        self.JSON_SORT_KEYS = False
        # What one diagram may ask of the engine (app/engine/limits.py; refused at deploy when literal,
        # an order `error` when computed): interpreter steps, collection items and string characters per
        # evaluation of a condition, script or timer; loopCardinality and loopMaximum; the longest timer
        # duration, cycle interval or timeDate horizon in days; timeCycle repetitions and shortest
        # interval; tasks the engine runs in one advance (a loop through gateways without a wait state).
        for name, default in (("MAX_EVALUATION_STEPS", 100_000), ("MAX_EVALUATION_ITEMS", 100_000),
                              ("MAX_EVALUATION_STRING", 1_000_000), ("MAX_LOOP_ITERATIONS", 100),
                              ("MAX_TIMER_DURATION_DAYS", 3660), ("MAX_TIMER_CYCLES", 100),
                              ("MIN_TIMER_CYCLE_SECONDS", 1), ("MAX_ENGINE_STEPS", 500)):
            setattr(self, name, int(os.environ.get(name, default)))


class Development(Config):
    """Embedded default: SQLite under instance/, scheduler in-process, migrations on start."""

    NOTIFICATION_SENDERS_DEFAULT = "log"


class Testing(Config):
    """Test runs: no in-process scheduler unless asked, testing clock on."""

    TESTING = True
    SCHEDULER_DEFAULT = False

    def __init__(self) -> None:
        super().__init__()
        self.TEST_CLOCK = _flag("TEST_CLOCK", True)


class Production(Config):
    """Production: schema managed by `db upgrade`, scheduler in its own processes, no testing clock."""

    SCHEDULER_DEFAULT = False
    LOG_FORMAT_DEFAULT = "json"  # a log pipeline reads it

    def __init__(self) -> None:
        super().__init__()
        self.TEST_CLOCK = False
        self.AUTO_MIGRATE = _flag("AUTO_MIGRATE", False)


CONFIGS = {"development": Development, "testing": Testing, "production": Production}


def load(name: str | None = None) -> Config:
    """Build the settings object named by `name` or FLASK_CONFIG (default: development)."""
    key = (name or os.environ.get("FLASK_CONFIG") or "development").lower()
    try:
        return CONFIGS[key]()
    except KeyError:
        raise ValueError(f"unknown FLASK_CONFIG {key!r}; one of {sorted(CONFIGS)}") from None
