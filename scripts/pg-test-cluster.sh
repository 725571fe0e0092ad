#!/usr/bin/env bash
# Throw-away PostgreSQL 15 clusters for tests and benchmarks (issue 6).
#
#   scripts/pg-test-cluster.sh start DIR PORT [OWNER-PID]
#       Creates a cluster in DIR if there is none (initdb), starts it on 127.0.0.1:PORT with its
#       socket in DIR, creates the database `palika` and prints its URL
#       (postgresql://palika@127.0.0.1:PORT/palika). fsync and synchronous_commit stay on, as in
#       production: a test of "nothing acknowledged is lost" must not run on a database that may
#       lose commits. With OWNER-PID, a watcher stops the cluster and removes DIR once that process
#       has exited (a test binary that crashes leaves nothing running). Starting a stopped cluster
#       again keeps its data.
#   scripts/pg-test-cluster.sh halt DIR [fast|immediate]
#       Stops the server and keeps DIR: an outage. fast (the default) is an orderly shutdown;
#       immediate is a crash (what was committed stays; the next start runs crash recovery,
#       a few seconds).
#   scripts/pg-test-cluster.sh stop DIR     stops the server and removes DIR
#   scripts/pg-test-cluster.sh url DIR      prints the URL of the cluster in DIR
#
# PostgreSQL refuses to run as root: as root the server runs as the system user `palika-pg`
# (created here if missing, no login shell, no home); otherwise as yourself. DIR's parent must be
# traversable by that user (a directory under /tmp is).
set -euo pipefail

usage() {
  echo "usage: $0 start DIR PORT [OWNER-PID] | halt DIR [fast|immediate] | stop DIR | url DIR" >&2
  exit 2
}
[ $# -ge 2 ] || usage
cmd=$1
dir=$2

bindir=""
for d in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
  if [ -x "$d/initdb" ]; then bindir=$d; break; fi
done
if [ -z "$bindir" ]; then
  echo "PostgreSQL's server programs (initdb, pg_ctl) are missing: run scripts/install-deps.sh" >&2
  exit 1
fi

pg_user=""
as_pg() {
  if [ -n "$pg_user" ]; then runuser -u "$pg_user" -- "$@"; else "$@"; fi
}
if [ "$(id -u)" -eq 0 ]; then
  pg_user=palika-pg
  if ! getent passwd "$pg_user" >/dev/null; then
    # Test processes start clusters in parallel: one creates the user, the others wait for it.
    (
      flock 9
      getent passwd "$pg_user" >/dev/null ||
        useradd --system --no-create-home --shell /usr/sbin/nologin "$pg_user"
    ) 9>/tmp/palika-pg-useradd.lock
  fi
fi

url_of() { echo "postgresql://palika@127.0.0.1:$(cat "$1/port")/palika"; }

case "$cmd" in
  start)
    [ $# -ge 3 ] || usage
    port=$3
    owner=${4:-}
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    if [ -n "$pg_user" ]; then chown "$pg_user" "$dir"; fi
    if ! as_pg test -x "$dir"; then
      echo "$pg_user cannot enter $dir: make its parent directories traversable (chmod o+x)" >&2
      exit 1
    fi
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      # initdb once per machine and user into a template, then a copy per cluster (a copy takes a
      # tenth of initdb's second). --no-sync: initdb's files are not fsynced (the template is
      # remade if it is broken); the servers themselves run with fsync on.
      template="${TMPDIR:-/tmp}/palika-pg-template-$(id -u "${pg_user:-$(id -un)}")-$(basename "$(dirname "$bindir")")-v3"
      (
        flock 8
        if [ ! -f "$template/ok" ]; then
          rm -rf "$template"
          mkdir -p "$template"
          if [ -n "$pg_user" ]; then chown "$pg_user" "$template"; fi
          as_pg "$bindir/initdb" -D "$template/data" -U palika --auth=trust -E UTF8 \
            --locale=C.UTF-8 --no-sync >"$template/initdb.log" 2>&1 ||
            { cat "$template/initdb.log" >&2; exit 1; }
          cat >>"$template/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
fsync = on
synchronous_commit = on
full_page_writes = on
max_connections = 200
shared_buffers = 32MB
logging_collector = off
CONF
          # The database, in single-user mode (no server, no port needed).
          echo "CREATE DATABASE palika" |
            as_pg "$bindir/postgres" --single -F -D "$template/data" postgres \
              >"$template/single.log" 2>&1 || { cat "$template/single.log" >&2; exit 1; }
          touch "$template/ok"
        fi
      ) 8>"${TMPDIR:-/tmp}/palika-pg-template.lock"
      as_pg cp -a "$template/data" "$dir/data"
    fi
    echo "$port" >"$dir/port"
    if ! as_pg "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k $dir" start >/dev/null; then
      echo "PostgreSQL did not start on port $port; its log:" >&2
      tail -20 "$dir/server.log" >&2 || true
      exit 1
    fi
    if [ -n "$owner" ]; then
      # The watcher: setsid so that it outlives the caller's process group; it keeps no
      # descriptor of the caller's open (a caller reading our output would wait for it).
      setsid bash -c 'while kill -0 "$1" 2>/dev/null; do sleep 1; done; exec "$2" stop "$3"' \
        watcher "$owner" "$(cd "$(dirname "$0")" && pwd)/$(basename "$0")" "$dir" \
        </dev/null >/dev/null 2>&1 &
    fi
    url_of "$dir"
    ;;
  halt)
    if [ -d "$dir/data" ] && as_pg "$bindir/pg_ctl" -D "$dir/data" status >/dev/null; then
      as_pg "$bindir/pg_ctl" -D "$dir/data" -m "${3:-fast}" -w stop >/dev/null
    fi
    ;;
  stop)
    if [ -d "$dir/data" ] && as_pg "$bindir/pg_ctl" -D "$dir/data" status >/dev/null; then
      as_pg "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null || true
    fi
    rm -rf "$dir"
    ;;
  url)
    [ -f "$dir/port" ] || { echo "no cluster in $dir" >&2; exit 1; }
    url_of "$dir"
    ;;
  *)
    usage
    ;;
esac
