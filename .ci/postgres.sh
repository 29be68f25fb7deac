# Sourced by .ci/run: a throwaway PostgreSQL server for the register's tests (tests/test_register.py).
# Installs Debian's `postgresql` only when no server binaries are there, runs initdb in a temporary
# folder as a non-root user (initdb refuses root), listens only on a private Unix socket in that folder,
# exports KRM_TEST_POSTGRES_URL, and stops and removes everything when the shell exits.

pg_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1
}

start_postgres() {
  local bin user run
  bin=$(pg_bin)
  if [ -z "$bin" ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing postgresql (Debian package)"
    local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends postgresql >/dev/null
    bin=$(pg_bin)
  fi
  if [ -z "$bin" ]; then
    echo "no PostgreSQL server binaries: the register's PostgreSQL tests will be skipped" >&2
    return 0
  fi
  run=()
  if [ "$(id -u)" -eq 0 ]; then  # initdb and postgres refuse root: run them as an ordinary user
    user=postgres
    if ! id -u "$user" >/dev/null 2>&1; then
      user=krm-ci
      id -u "$user" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$user"
    fi
    if command -v runuser >/dev/null 2>&1; then
      run=(runuser -u "$user" --)
    else
      run=(setpriv --reuid="$user" --regid="$(id -g "$user")" --init-groups --)
    fi
  fi
  KRM_PG_DIR=$(mktemp -d /tmp/krm-pg.XXXXXX)
  chmod 700 "$KRM_PG_DIR"
  [ -n "${user:-}" ] && chown "$user" "$KRM_PG_DIR"
  KRM_PG_RUN=("${run[@]}")
  KRM_PG_BIN=$bin
  trap stop_postgres EXIT
  "${run[@]}" "$bin/initdb" -D "$KRM_PG_DIR/data" -U krm -A trust -E UTF8 --no-locale --no-sync >"$KRM_PG_DIR/initdb.log" 2>&1 \
    || { cat "$KRM_PG_DIR/initdb.log" >&2; echo "initdb failed: PostgreSQL tests will be skipped" >&2; return 0; }
  "${run[@]}" "$bin/pg_ctl" -D "$KRM_PG_DIR/data" -l "$KRM_PG_DIR/server.log" -w -t 60 \
    -o "-k $KRM_PG_DIR -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=60" \
    start >/dev/null \
    || { cat "$KRM_PG_DIR/server.log" >&2; echo "PostgreSQL did not start: its tests will be skipped" >&2; return 0; }
  export KRM_TEST_POSTGRES_URL="postgresql://krm@/postgres?host=$KRM_PG_DIR"
  echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') for the tests on $KRM_PG_DIR"
}

stop_postgres() {
  if [ -n "${KRM_PG_DIR:-}" ] && [ -d "$KRM_PG_DIR" ]; then
    "${KRM_PG_RUN[@]}" "$KRM_PG_BIN/pg_ctl" -D "$KRM_PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$KRM_PG_DIR"
  fi
}
