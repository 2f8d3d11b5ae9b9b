# Shared by scripts/test and scripts/bench: installing missing tools and a throw-away
# PostgreSQL cluster. Source it; it defines functions only.

# Runs a command as root (directly, or through sudo when available).
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else
    echo "Se necesita ser root (o tener sudo) para instalar: $*" >&2; return 1; fi
}

APT_UPDATED=0
# Installs Debian packages, running apt-get update once first.
apt_install() {
  if [ "$APT_UPDATED" -eq 0 ]; then
    echo "== apt-get update"
    as_root apt-get update -qq
    APT_UPDATED=1
  fi
  echo "== apt-get install $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# Prints the folder of PostgreSQL's server programs, installing PostgreSQL when missing.
postgres_bin() {
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$found" ] || [ ! -x "$found/initdb" ]; then
    apt_install postgresql >&2
    found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  fi
  echo "$found"
}

# A free TCP port on 127.0.0.1.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

PG_DIR=""
PG_BIN=""
PG_PORT=""
# Starts a throw-away cluster as an unprivileged user on a free port; sets PG_PORT.
# initdb refuses to run as root, so as root the cluster belongs to the `postgres` user that
# Debian's package creates.
pg_start() {
  PG_BIN=$(postgres_bin)
  PG_DIR=$(mktemp -d /tmp/ema-pg.XXXXXX)
  PG_PORT=$(free_port)
  local run=()
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres "$PG_DIR"
    run=(runuser -u postgres --)
  fi
  "${run[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" --auth=trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null 2>&1 \
    || "${run[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" --auth=trust -U postgres -E UTF8 --no-locale >/dev/null
  "${run[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 start \
    -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=600" >/dev/null
  echo "== PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') en 127.0.0.1:$PG_PORT ($PG_DIR)"
}

# The command that restarts the throw-away cluster (same options, same log).
pg_restart_command() {
  local run=""
  [ "$(id -u)" -eq 0 ] && run="runuser -u postgres -- "
  echo "${run}$PG_BIN/pg_ctl -D $PG_DIR/data -l $PG_DIR/server.log -w -t 60 restart -m fast"
}

# Creates a database in the throw-away cluster.
pg_createdb() {
  "$PG_BIN/psql" -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -c "CREATE DATABASE $1" >/dev/null
}

# Stops the cluster and removes its folder (safe to call twice).
pg_stop() {
  if [ -n "$PG_DIR" ] && [ -d "$PG_DIR/data" ]; then
    local run=()
    [ "$(id -u)" -eq 0 ] && run=(runuser -u postgres --)
    "${run[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
  fi
  PG_DIR=""
}
