#!/usr/bin/env bash
# Installs the two real helpdesks the `real` tests run against (tests/real/):
#   * Request Tracker 5 from Debian (request-tracker5 + rt5-db-sqlite + rt5-standalone),
#     installed non-interactively with debconf preseeding (needs root and apt);
#   * django-helpdesk from PyPI, in its own venv under the cache directory, with a
#     migrated template database so each test session only copies a file.
#
# Idempotent: a second run checks and returns in about a second. Each half is
# independent; a failure is reported on stderr and recorded in
# $CACHE/<name>.failed, which the test fixtures turn into a skip reason.
# Exit status: 0 when both are ready, 1 otherwise (.ci/run carries on either way).
#
# Environment: TRIAGE_REAL_CACHE (default ~/.cache/triage-tui), TRIAGE_REAL_PYTHON
# (interpreter for the django-helpdesk venv, default python3),
# TRIAGE_DJANGO_HELPDESK_SPEC (pip requirement, default django-helpdesk).
set -uo pipefail

CACHE="${TRIAGE_REAL_CACHE:-$HOME/.cache/triage-tui}"
HERE="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "$CACHE"

log() { printf '[setup-real-helpdesks] %s\n' "$*" >&2; }

# -- Request Tracker 5 ----------------------------------------------------------
RT_SERVER=/usr/share/request-tracker5/libexec/rt-server
RT_DB=/var/lib/dbconfig-common/sqlite3/request-tracker5/rtdb
RT_SNIPPET=/etc/request-tracker5/RT_SiteConfig.d/90-triage-tui.pm

rt_finish() {
    # Everything test-specific is read from TRIAGE_RT_* variables that only the
    # test fixture sets, so a plain `rt-server` keeps the Debian defaults.
    if ! cmp -s "$HERE/rt-siteconfig.pm" "$RT_SNIPPET"; then
        install -m 0644 "$HERE/rt-siteconfig.pm" "$RT_SNIPPET" || return 1
    fi
    if [ ! -s "$CACHE/rt/pristine.db" ]; then
        mkdir -p "$CACHE/rt"
        cp "$RT_DB" "$CACHE/rt/pristine.db.tmp" && mv "$CACHE/rt/pristine.db.tmp" "$CACHE/rt/pristine.db"
    fi
}

install_rt() {
    if [ -x "$RT_SERVER" ] && [ -s "$RT_DB" ]; then
        rt_finish || { log "RT 5: cannot write $RT_SNIPPET (needs root)"; return 1; }
        log "RT 5: already installed"
        return 0
    fi
    if [ "$(id -u)" != 0 ]; then
        log "RT 5: needs root to install Debian packages (run this script as root)"
        return 1
    fi
    command -v apt-get >/dev/null || { log "RT 5: no apt-get on this machine"; return 1; }
    local start=$SECONDS
    # The initial root password only matters to the web UI; the tests make
    # their own users and tokens. Cron jobs would mail digests: off.
    debconf-set-selections <<'EOF'
request-tracker5 request-tracker5/dbconfig-install boolean true
request-tracker5 request-tracker5/database-type select sqlite3
request-tracker5 request-tracker5/initial-root-password password triage-root
request-tracker5 request-tracker5/install-cronjobs boolean false
request-tracker5 request-tracker5/handle-siteconfig-permissions boolean false
request-tracker5 request-tracker5/rtname string triage.test
request-tracker5 request-tracker5/organization string triage.test
request-tracker5 request-tracker5/correspondaddress string rt@triage.test
request-tracker5 request-tracker5/commentaddress string rt-comment@triage.test
request-tracker5 request-tracker5/webbaseurl string http://127.0.0.1
request-tracker5 request-tracker5/webpath string
EOF
    local apt_opts=(-y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold
                    -o DPkg::Lock::Timeout=300 --no-install-recommends)
    mkdir -p "$CACHE/apt/partial"
    apt_opts+=(-o "Dir::Cache::Archives=$CACHE/apt")
    if ! apt-cache show request-tracker5 >/dev/null 2>&1; then
        log "RT 5: apt-get update"
        apt-get update -q >&2 || { log "RT 5: apt-get update failed"; return 1; }
    fi
    log "RT 5: apt-get install (takes a minute or two the first time)"
    if ! DEBIAN_FRONTEND=noninteractive apt-get install "${apt_opts[@]}" \
            request-tracker5 rt5-db-sqlite rt5-standalone >"$CACHE/rt-apt.log" 2>&1; then
        # Stale package lists are the usual cause: refresh once and retry.
        log "RT 5: install failed; apt-get update and retry (log: $CACHE/rt-apt.log)"
        apt-get update -q >&2
        DEBIAN_FRONTEND=noninteractive apt-get install "${apt_opts[@]}" \
            request-tracker5 rt5-db-sqlite rt5-standalone >"$CACHE/rt-apt.log" 2>&1 \
            || { tail -20 "$CACHE/rt-apt.log" >&2; return 1; }
    fi
    [ -x "$RT_SERVER" ] || { log "RT 5: $RT_SERVER missing after install"; return 1; }
    [ -s "$RT_DB" ] || { log "RT 5: database $RT_DB was not created (dbconfig)"; return 1; }
    rt_finish || return 1
    log "RT 5: installed in $((SECONDS - start)) s"
}

# -- django-helpdesk ----------------------------------------------------------
DH="$CACHE/django-helpdesk"
DH_SPEC="${TRIAGE_DJANGO_HELPDESK_SPEC:-django-helpdesk}"

dh_installed() {
    [ -x "$DH/venv/bin/python" ] && [ -s "$DH/template.sqlite3" ] \
        && [ "$(cat "$DH/spec" 2>/dev/null)" = "$DH_SPEC" ] \
        && cmp -s "$HERE/../tests/real/dh_project/settings.py" "$DH/settings.py"
}

install_dh() {
    if dh_installed; then
        log "django-helpdesk: already installed ($("$DH/venv/bin/python" -c \
            'import importlib.metadata as m; print(m.version("django-helpdesk"))'))"
        return 0
    fi
    local start=$SECONDS py="${TRIAGE_REAL_PYTHON:-python3}"
    mkdir -p "$DH"
    if [ ! -x "$DH/venv/bin/python" ]; then
        "$py" -m venv "$DH/venv" || { log "django-helpdesk: cannot create a venv with $py"; return 1; }
    fi
    log "django-helpdesk: pip install $DH_SPEC"
    # (grep drops the noise of find-links directories this machine's pip.conf names.)
    "$DH/venv/bin/pip" install -q --disable-pip-version-check "$DH_SPEC" 2>&1 \
        | grep -v "^WARNING: Location" >&2
    [ "${PIPESTATUS[0]}" = 0 ] || { log "django-helpdesk: pip install failed"; return 1; }
    # A migrated database with a superuser, made once: each test session
    # copies it instead of running ~150 migrations again.
    rm -f "$DH/template.sqlite3"
    local proj="$HERE/../tests/real/dh_project"
    rm -f "$DH/template.sqlite3.tmp"
    if ! (cd "$proj" && export DH_DB="$DH/template.sqlite3.tmp" \
            && "$DH/venv/bin/python" manage.py migrate --noinput -v 0 >&2 \
            && DJANGO_SUPERUSER_PASSWORD=triage-admin-pw "$DH/venv/bin/python" manage.py \
                createsuperuser --noinput --username admin --email admin@triage.test >&2); then
        log "django-helpdesk: migrate or createsuperuser failed"
        return 1
    fi
    mv "$DH/template.sqlite3.tmp" "$DH/template.sqlite3"
    cp "$proj/settings.py" "$DH/settings.py"
    printf '%s' "$DH_SPEC" >"$DH/spec"
    log "django-helpdesk: installed in $((SECONDS - start)) s"
}

status=0
for name in rt dh; do
    if "install_$name"; then
        rm -f "$CACHE/$name.failed"
    else
        status=1
        echo "setup failed at $(date -u +%FT%TZ); see the CI log" >"$CACHE/$name.failed"
        log "$name: NOT READY; its real-server tests will skip"
    fi
done
exit $status
