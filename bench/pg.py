"""PostgreSQL helpers for the benchmarks: URLs, psql, throwaway databases."""

import os
import subprocess
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit


@dataclass(frozen=True)
class Pg:
    """A PostgreSQL server reached with psql/pgbench and by Django through a URL."""

    host: str = "127.0.0.1"
    port: int = 5432
    user: str = "postgres"
    password: str = ""

    @classmethod
    def from_url(cls, url: str) -> "Pg":
        parts = urlsplit(url)
        return cls(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 5432,
            user=unquote(parts.username or "postgres"),
            password=unquote(parts.password or ""),
        )

    def url(self, db: str) -> str:
        auth = self.user + (f":{self.password}" if self.password else "")
        return f"postgres://{auth}@{self.host}:{self.port}/{db}"

    def env(self) -> dict:
        env = dict(os.environ, PGHOST=self.host, PGPORT=str(self.port), PGUSER=self.user)
        if self.password:
            env["PGPASSWORD"] = self.password
        return env

    def psql(self, db: str, sql: str | None = None, *, file: str | None = None) -> str:
        """Run SQL (or a file) through psql; returns unaligned, tuples-only output."""
        argv = ["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", db]
        argv += ["-f", file] if file else ["-c", sql]
        done = subprocess.run(argv, env=self.env(), capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(f"psql failed on {db}: {done.stderr.strip()}")
        return done.stdout.strip()

    def scalar(self, db: str, sql: str) -> str:
        out = self.psql(db, sql)
        return out.splitlines()[0] if out else ""

    def exists(self, db: str) -> bool:
        return self.scalar("postgres", f"SELECT 1 FROM pg_database WHERE datname = '{db}'") == "1"

    def drop(self, db: str) -> None:
        self.psql("postgres", f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')

    def create(self, db: str, *, template: str | None = None) -> None:
        """Create `db` afresh (dropping any old one), optionally as a copy of `template`."""
        self.drop(db)
        if template:
            # A template may have no other sessions while it is copied.
            self.psql(
                "postgres",
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                f"WHERE datname = '{template}' AND pid <> pg_backend_pid()",
            )
        clause = f' TEMPLATE "{template}"' if template else ""
        self.psql("postgres", f'CREATE DATABASE "{db}"{clause}')

    def setting(self, name: str) -> str:
        return self.scalar("postgres", f"SHOW {name}")
