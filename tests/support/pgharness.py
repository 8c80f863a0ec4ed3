"""A throwaway PostgreSQL 15 cluster from Debian's postgresql-15 package, for benchmarks and Python tests.

initdb into a temporary folder (as the `postgres` user when run as root: PostgreSQL refuses root), a free loopback
port, SCRAM logins with PASSWORD, fsync on (benchmarks measure what an installation gets). `stop()` removes it; a
cluster that fails to start is stopped and removed before the error goes on.
"""
import os, shutil, subprocess, tempfile

from ntharness import descendants, free_port

BIN = "/usr/lib/postgresql/15/bin"
USER = "nt_bench"
PASSWORD = "nt-bench-password"


class PostgresCluster:
    def __init__(self, max_connections=300):
        if not os.path.exists(os.path.join(BIN, "initdb")):
            raise SystemExit(f"{BIN}/initdb is missing: scripts/install-deps.sh installs Debian's postgresql-15")
        self.dir = tempfile.mkdtemp(prefix="nt-pg-bench-")
        self.port = free_port()
        pwfile = os.path.join(self.dir, "pw")
        with open(pwfile, "w") as f:
            f.write(PASSWORD + "\n")
        try:
            if os.getuid() == 0:
                shutil.chown(self.dir, "postgres", "postgres")
                shutil.chown(pwfile, "postgres", "postgres")
            self._run([f"{BIN}/initdb", "-D", self.data, "-U", USER, "--pwfile", pwfile, "-A", "scram-sha-256",
                       "-E", "UTF8", "--locale", "C"])
            self._ctl("start", "-l", os.path.join(self.dir, "server.log"), "-o",
                      f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c max_connections={max_connections}")
        except BaseException:
            self.stop()
            raise

    @property
    def data(self):
        return os.path.join(self.dir, "data")

    def url(self, database="postgres"):
        return f"postgres://{USER}@127.0.0.1:{self.port}/{database}?sslmode=disable"

    def create_database(self, name):
        env = dict(os.environ, PGPASSWORD=PASSWORD)
        subprocess.run(["psql", "-X", "-q", "-h", "127.0.0.1", "-p", str(self.port), "-U", USER, "-d", "postgres",
                        "-c", f"CREATE DATABASE {name}"], check=True, env=env)
        return self.url(name)

    def pids(self):
        """The postmaster and every server process below it (one backend per connection), for their CPU time."""
        with open(os.path.join(self.data, "postmaster.pid")) as f:
            return descendants(int(f.readline()))

    def stop(self):
        """Stops the server at once (if it runs) and removes its folder."""
        try:
            if os.path.exists(os.path.join(self.data, "postmaster.pid")):
                self._ctl("stop", "-m", "immediate")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    def _ctl(self, action, *args):
        self._run([f"{BIN}/pg_ctl", "-D", self.data, "-w", action, *args])

    def _run(self, argv):
        if os.getuid() == 0:
            argv = ["runuser", "-u", "postgres", "--", *argv]
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
