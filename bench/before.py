"""The code before issue 13, run beside today's in the same benchmark: a git worktree of BEFORE_REF that its
own CLI migrates and fills with principals, so a bench measures both on this machine in one run.

Issue 13's "4x today's actions/s" was measured on the machine of its day (40-95 actions/s); machines here
differ from one session to the next by up to 2x, so a ratio against that figure says as much about the
machine as about the code. The servers of the worktree run from its tree (PYTHONPATH) in this checkout's
virtual environment: its pinned dependencies are the same ones (setup.cfg has not changed since)."""
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BEFORE_REF = "77ebb5e"  # the last commit before issue 13's first (1b037ce, bench/actions.py's floor)


@dataclass(frozen=True)
class CliParty:
    """A principal created by a checkout's `flask principal create`: what the bench's clients send."""
    name: str
    headers: dict


class Checkout:
    """A source tree the bench's servers run from: this one (ROOT), or a worktree of an earlier commit."""

    def __init__(self, root: Path, label: str, worktree: bool = False):
        self.root, self.label, self.worktree = root, label, worktree

    @classmethod
    def of(cls, ref: str, workdir: Path) -> "Checkout | None":
        """A detached worktree of `ref` under `workdir`; None (said on stdout) when this clone lacks it."""
        path = workdir / f"checkout-{ref}"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "prune"], capture_output=True)  # a killed run's
        done = subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(path), ref],
                              capture_output=True, text=True)
        if done.returncode != 0:
            print(f"before: {ref} cannot be checked out here ({done.stderr.strip()[:200]}): no before table")
            return None
        return cls(path, ref, worktree=True)

    def env(self, base: dict) -> dict:
        return {**base, "PYTHONPATH": str(self.root)}

    def flask(self, env: dict, *args: str) -> str:
        """`flask --app wsgi ARGS` in this tree; its output (the bench stops when it fails)."""
        done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=self.root,
                              env=self.env(env), capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"{self.label}: flask {' '.join(args)} failed: {done.stderr.strip()[-500:]}")
        return done.stdout

    def prepare(self, env: dict, roles: tuple[str, ...]) -> dict[str, CliParty]:
        """Migrate and deploy bpmn/ with this tree's own code, then one principal per role."""
        self.flask(env, "db", "upgrade")
        parties = {}
        for role in roles:
            name = f"before-{role}"
            token = self.flask(env, "principal", "create", name, "--role", role).strip().splitlines()[-1]
            parties[role] = CliParty(name, {"Authorization": f"Bearer {token}"})
        return parties

    def close(self) -> None:
        if self.worktree:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(self.root)],
                           capture_output=True)
