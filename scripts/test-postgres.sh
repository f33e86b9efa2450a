#!/usr/bin/env bash
# A throwaway PostgreSQL server from the Debian package, for the tests (server mode).
#
#   scripts/test-postgres.sh start DIR   initdb in DIR, start the server on loopback
#                                        (127.0.0.1 and a Unix socket in DIR), print its URL
#   scripts/test-postgres.sh restart DIR kill it (as a crash would) and start it again on
#                                        the same port (the fault tests)
#   scripts/test-postgres.sh stop DIR    stop it and remove DIR
#
# .ci/run starts one for the whole run and passes it to the tests as GUWAH_TEST_PG_URL;
# without it, tests/conftest.py starts one per test session with this same script. As root
# (CI on a fresh Debian machine) the server runs as the Debian package's user `postgres`:
# initdb refuses to run as root. Test settings: trust authentication on loopback only,
# no fsync (the data is thrown away), so it starts in about a second.
set -euo pipefail
cmd=${1:?usage: test-postgres.sh start|restart|stop DIR}
dir=${2:?usage: test-postgres.sh start|restart|stop DIR}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "PostgreSQL is not installed (Debian: apt-get install postgresql)" >&2
  exit 3
fi
as=()
if [ "$(id -u)" -eq 0 ]; then
  if ! id postgres >/dev/null 2>&1; then
    echo "running as root, and there is no user 'postgres' to run the server as" >&2
    exit 3
  fi
  as=(setpriv --reuid=postgres --regid=postgres --clear-groups)
fi

case "$cmd" in
start)
  mkdir -p "$dir"
  chmod 700 "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir"
  "${as[@]}" "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C --no-sync \
    >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
  for _ in 1 2 3 4 5; do
    port=$((20000 + RANDOM % 20000))
    opts="-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off"
    opts="$opts -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
    if "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 -o "$opts" start \
      >/dev/null 2>&1; then
      echo "$opts" >"$dir/opts"
      echo "postgresql://postgres@127.0.0.1:$port/postgres?connect_timeout=10"
      exit 0
    fi
  done
  echo "the PostgreSQL test server did not start; its log:" >&2
  cat "$dir/server.log" >&2 || true
  exit 1
  ;;
restart)
  "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -o "$(cat "$dir/opts")" \
    start >/dev/null
  ;;
stop)
  if [ -d "$dir/data" ]; then
    "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
  ;;
*)
  echo "usage: test-postgres.sh start|restart|stop DIR" >&2
  exit 2
  ;;
esac
