#!/usr/bin/env bash
# Tern and Postfix side by side, on this machine, in one run (issue 6; the relay case is issue
# 5's benchmark). Both servers listen on loopback ports with their own data directories on the
# same disk; `tern bench` (release build) is the client for both.
#
#   1  durable accept: 2 KiB, 10 messages per connection, concurrency 1/10/50/200, to a
#      recipient queued and then discarded (Postfix: the discard: transport; Tern: a
#      [[delivery.route]] with transport = "discard"), plus smtp-sink alone as the ceiling
#   2  one message per connection, concurrency 10
#   3  local delivery to a Maildir, concurrency 10 and 50
#   4  100 KiB and 1 MiB messages, concurrency 4: MB/s
#   5  relay: clients -> server -> smtp-sink, concurrency 50
#   6  IDLE (10,000) idle connections held 10 s: how many got a greeting, server RSS
#   7  open loop at 50 transactions/s: p50 and p99
#   8  drain: DRAIN (2,000) messages queued for a relay target that is down, then the target
#      (smtp-sink) comes up and the queue is flushed (Tern: `tern queue retry`; Postfix:
#      `postqueue -f`, its drain transport in defer_transports): messages/s until the queue
#      is empty
#
# Tern and Postfix alternate (the first server of each case swaps every round), ROUNDS rounds
# (3), medians, a table with ratios, each target met or MISSED. After every run the server's
# queue is allowed to drain (bounded) before the next one starts. The disk's fsync rate is
# measured at the start and at the end.
#
#   sudo scripts/bench-vs-postfix.sh                 # ~25 minutes
#   sudo ROUNDS=1 QUICK=1 scripts/bench-vs-postfix.sh  # ~5 minutes: 4 s runs, 1 round
#
# Settings (environment): ROUNDS, QUICK, DURATION (per run, "10s"), CASES (some of c1-1 c1-10
# c1-50 c1-200 c2 c3-10 c3-50 c4-100k c4-1m c5 c7 c6 c8; default all), IDLE (10000), HOLD ("10s"),
# DRAIN (2000),
# TERN_BIN (else `cargo build --release -p tern`), RESULTS (the Markdown report, default
# ./bench-vs-postfix.md), BENCH_KEEP=1 keeps the work directory. Needs root (Postfix's master
# runs as root; apt installs Postfix when missing).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
t0=$(date +%s)
ROUNDS=${ROUNDS:-3}
QUICK=${QUICK:-0}
if [ "$QUICK" = 1 ]; then DURATION=${DURATION:-4s}; else DURATION=${DURATION:-10s}; fi
IDLE=${IDLE:-10000}
DRAIN=${DRAIN:-2000}
HOLD=${HOLD:-10s}
RESULTS=${RESULTS:-$PWD/bench-vs-postfix.md}

say() { printf 'bench: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 2; }

work="" tern_pid="" pf_started="" sink_pids=()
cleanup() {
    local status=$?
    set +e
    if [ -n "$tern_pid" ] && kill -0 "$tern_pid" 2>/dev/null; then
        kill -TERM "$tern_pid"
        for _ in $(seq 100); do kill -0 "$tern_pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$tern_pid" 2>/dev/null && kill -KILL "$tern_pid"
        wait "$tern_pid" 2>/dev/null
    fi
    if [ -n "$pf_started" ]; then
        timeout 30 postfix -c "$work/postfix/etc" stop >/dev/null 2>&1 ||
            timeout 10 postfix -c "$work/postfix/etc" abort >/dev/null 2>&1
    fi
    for pid in "${sink_pids[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
    if [ "${BENCH_KEEP:-0}" = 1 ]; then say "kept $work"; elif [ -n "$work" ]; then rm -rf "$work"; fi
    say "took $(( $(date +%s) - t0 ))s"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- what it needs -------------------------------------------------------------------------

[ "$(id -u)" -eq 0 ] || die "run as root: Postfix's master runs as root"
if ! { command -v postfix && command -v smtp-sink && command -v python3; } >/dev/null; then
    say "installing postfix"
    # "No configuration": the package must not set up and start a system Postfix on port 25
    printf '%s\n' 'postfix postfix/main_mailer_type select No configuration' \
        'postfix postfix/mailname string localhost' | debconf-set-selections
    timeout 300 apt-get update -qq
    DEBIAN_FRONTEND=noninteractive timeout 300 apt-get install -y -qq --no-install-recommends \
        postfix python3 >/dev/null
    if [ -f /etc/postfix/main.cf ] && postfix status >/dev/null 2>&1; then postfix stop || true; fi
fi
getent group postdrop >/dev/null || groupadd --system postdrop
getent passwd postfix >/dev/null || useradd --system --no-create-home --home-dir /var/spool/postfix \
    --shell /usr/sbin/nologin postfix
# case 6 needs ~10,000 descriptors in the client and in each server
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
fd_limit=$(ulimit -n)

if [ -n "${TERN_BIN:-}" ]; then
    tern=$TERN_BIN
else
    say "building tern (release)"
    (cd "$root" && timeout 1800 cargo build --locked --release -p tern --quiet)
    tern="${CARGO_TARGET_DIR:-$root/target}/release/tern"
fi
[ -x "$tern" ] || die "no tern binary at $tern"
case $tern in /*) ;; *) tern="$PWD/$tern" ;; esac

# On the same disk as everything else (not /tmp, which may be tmpfs).
work=$(mktemp -d /var/tmp/tern-bench.XXXXXX)
chmod 755 "$work"
mkdir -p "$work/runs"

wait_port() { # PORT SECONDS
    local deadline=$(( $(date +%s) + $2 ))
    until (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; do
        [ "$(date +%s)" -lt "$deadline" ] || return 1
        sleep 0.1
    done
}
read -r pf_port sink_port ceiling_port drain_port <<<"$(python3 "$root/scripts/interop/mail.py" free-ports 4)"

# fsync_rate: 4 KiB append + fsync per operation, for 2 s, on the work directory's disk
fsync_rate() {
    python3 - "$work/fsync.probe" <<'EOF'
import os, sys, time
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
block, n, t0 = b"x" * 4096, 0, time.monotonic()
while time.monotonic() - t0 < 2.0:
    os.write(fd, block); os.fsync(fd); n += 1
os.close(fd); os.unlink(sys.argv[1])
print(round(n / (time.monotonic() - t0)))
EOF
}

# --- smtp-sink: the relay target, and the ceiling ----------------------------------------------

smtp-sink -u nobody -h sink.test "127.0.0.1:$sink_port" 4096 >"$work/sink.log" 2>&1 &
sink_pids+=($!)
smtp-sink -u nobody -h ceiling.test "127.0.0.1:$ceiling_port" 4096 >"$work/ceiling.log" 2>&1 &
sink_pids+=($!)
wait_port "$sink_port" 10 && wait_port "$ceiling_port" 10 || die "smtp-sink did not start"

# --- Tern ----------------------------------------------------------------------------------

mkdir -p "$work/tern"
cat >"$work/tern/tern.toml" <<EOF
[server]
hostname = "mx.tern.test"
data_dir = "$work/tern/data"

[admin]
address = "127.0.0.1:0"

[[listener]]
kind = "smtp"
address = "127.0.0.1:0"

[local]
domains = ["tern.test"]
mailboxes = ["box"]

[limits]
max_connections = 12000
max_connections_per_ip = 12000

[relay]
trusted_networks = ["127.0.0.0/8"]

[delivery]
per_destination = 20
# Postfix deletes a queue file once it is delivered; Tern keeps a finished message's history
# (not its body) for keep_finished, 7 days by default. Deleted at the next purge here, so that
# a long run does not fill the disk with history Postfix would not have kept either.
keep_finished = "0s"

[[delivery.route]]
domain = "discard.test"
transport = "discard"

[[delivery.route]]
domain = "relay.test"
host = "127.0.0.1:$sink_port"
tls = "none"

[[delivery.route]]
domain = "drain.test"
host = "127.0.0.1:$drain_port"
tls = "none"
EOF
RUST_LOG=warn "$tern" serve --config "$work/tern/tern.toml" 2>"$work/tern/stderr" &
tern_pid=$!
tern_port=""
for _ in $(seq 200); do
    tern_port=$(sed -n 's/^tern: Smtp listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$work/tern/stderr")
    [ -n "$tern_port" ] && break
    kill -0 "$tern_pid" 2>/dev/null || break
    sleep 0.1
done
[ -n "$tern_port" ] || { cat "$work/tern/stderr" >&2; die "tern serve did not start"; }

# --- Postfix -------------------------------------------------------------------------------

pf="$work/postfix"
mkdir -p "$pf/etc" "$pf/queue" "$pf/data" "$pf/vmail"
chown 65534:65534 "$pf/vmail"
chown postfix "$pf/data"
# Postfix's defaults, except: loopback, no chroot, no TLS, and process limits that let it
# serve 200 concurrent clients (the default is 100 processes per service).
cat >"$pf/etc/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $pf/queue
data_directory = $pf/data
mail_owner = postfix
setgid_group = postdrop
maillog_file = $pf/maillog
maillog_file_prefixes = $work
myhostname = pf.test
mydomain = pf.test
myorigin = pf.test
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
relay_domains = discard.test, relay.test, drain.test
transport_maps = inline:{ discard.test=discard: , relay.test=smtp:[127.0.0.1]:$sink_port , drain.test=drain:[127.0.0.1]:$drain_port }
# case 8: mail for the drain transport waits in the queue until postqueue -f
defer_transports = drain
virtual_mailbox_domains = pf.test
virtual_mailbox_base = $pf/vmail
virtual_mailbox_maps = inline:{ box@pf.test=box/ }
virtual_uid_maps = static:65534
virtual_gid_maps = static:65534
alias_maps =
alias_database =
smtp_dns_support_level = disabled
smtp_host_lookup = native
smtpd_tls_security_level = none
smtp_tls_security_level = none
notify_classes =
biff = no
append_dot_mydomain = no
default_process_limit = 300
EOF
cat >"$pf/etc/master.cf" <<EOF
127.0.0.1:$pf_port inet n - n - 300 smtpd
pickup    unix  n - n 60    1 pickup
cleanup   unix  n - n -     0 cleanup
qmgr      unix  n - n 300   1 qmgr
rewrite   unix  - - n -     - trivial-rewrite
bounce    unix  - - n -     0 bounce
defer     unix  - - n -     0 bounce
trace     unix  - - n -     0 bounce
verify    unix  - - n -     1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n -     - proxymap
smtp      unix  - - n -     - smtp
relay     unix  - - n -     - smtp
drain     unix  - - n -     - smtp
showq     unix  n - n -     - showq
error     unix  - - n -     - error
retry     unix  - - n -     - error
discard   unix  - - n -     - discard
local     unix  - n n -     - local
virtual   unix  - n n -     - virtual
lmtp      unix  - - n -     - lmtp
anvil     unix  - - n -     1 anvil
scache    unix  - - n -     1 scache
postlog   unix-dgram n - n - 1 postlogd
EOF
timeout 60 postfix -c "$pf/etc" start >"$pf/start.log" 2>&1 || { cat "$pf/start.log" >&2; die "postfix did not start"; }
pf_started=1
wait_port "$pf_port" 20 || die "postfix does not listen on $pf_port"
pf_version=$(postconf -d -h mail_version)
say "tern on 127.0.0.1:$tern_port, postfix $pf_version on 127.0.0.1:$pf_port, smtp-sink on $sink_port and $ceiling_port"

# --- measuring -----------------------------------------------------------------------------

port_of() { case $1 in tern) echo "$tern_port" ;; postfix) echo "$pf_port" ;; sink) echo "$ceiling_port" ;; esac; }
domain_of() { case $1 in tern) echo tern.test ;; *) echo pf.test ;; esac; }

# rss_kib SERVER [Pss]: resident memory of the server's processes (Postfix: master and its
# children). RSS counts pages shared between Postfix's processes once per process; Pss shares
# them out, so the sum of Pss is what the instance really uses.
rss_kib() {
    local pids
    if [ "$1" = tern ]; then
        pids=$tern_pid
    else
        local master
        master=$(tr -d ' ' <"$pf/queue/pid/master.pid")
        pids="$master $(pgrep -P "$master" | tr '\n' ' ' || true)"
    fi
    local field=${2:-Rss} pid
    # (a process may exit meanwhile: Postfix's daemons come and go)
    for pid in $pids; do cat "/proc/$pid/smaps_rollup" 2>/dev/null || true; done |
        awk -v f="$field:" '$1 == f {s += $2} END {print s + 0}'
}

# drain SERVER: until nothing is waiting for delivery (at most 120 s; 30 s with QUICK)
drain() {
    local limit=120 start
    [ "$QUICK" = 1 ] && limit=30
    start=$(date +%s)
    while [ $(( $(date +%s) - start )) -lt "$limit" ]; do
        if [ "$1" = tern ]; then
            [ "$("$tern" queue list --state scheduled --json --config "$work/tern/tern.toml" 2>/dev/null |
                python3 -c 'import json,sys; print(json.load(sys.stdin)["count"])' 2>/dev/null)" = 0 ] && return 0
        elif [ "$1" = postfix ]; then
            [ -z "$(find "$pf/queue/incoming" "$pf/queue/active" "$pf/queue/deferred" "$pf/queue/maildrop" -type f -print -quit 2>/dev/null)" ] && return 0
        else
            return 0
        fi
        sleep 1
    done
    say "  $1: queue not drained after ${limit}s; going on"
}

# run CASE SERVER ROUND BENCH-ARGS...: one run, its JSON saved under runs/
run() {
    local case=$1 server=$2 round=$3 file
    shift 3
    file="$work/runs/$case.$server.$round.json"
    timeout 300 "$tern" bench --quiet --json --target "127.0.0.1:$(port_of "$server")" \
        --from bench@client.test "$@" >"$file" 2>"$file.err" || true
    [ -s "$file" ] || echo '{"ok":0,"error":"no report"}' >"$file"
    python3 - "$file" "$case" "$server" <<'EOF' >&2
import json, sys
r = json.load(open(sys.argv[1]))
if r.get("mode") == "idle":
    print(f"bench:   {sys.argv[2]:<8} {sys.argv[3]:<8} greeted {r['greeted']}/{r['requested']}  rss {r.get('rss_kib', 0)/1024:.1f} MiB")
else:
    lat = r.get("latency_ms", {})
    bad = sum(x["count"] for x in r.get("replies", [])) + sum(x["count"] for x in r.get("errors", []))
    print(f"bench:   {sys.argv[2]:<8} {sys.argv[3]:<8} {r.get('messages_per_s', 0):>9.1f} msg/s {r.get('mb_per_s', 0):>8.2f} MB/s  p50 {lat.get('p50', 0)} ms  p99 {lat.get('p99', 0)} ms  unexpected {bad}")
EOF
    drain "$server"
}

# idle_run SERVER ROUND: case 6, with the server's RSS sampled while the connections are held
idle_run() {
    local server=$1 round=$2 file before during pss hold_s
    file="$work/runs/c6.$server.$round.json"
    hold_s=${HOLD%s}
    before=$(rss_kib "$server")
    timeout 300 "$tern" bench --quiet --json --target "127.0.0.1:$(port_of "$server")" \
        --idle "$IDLE" --hold "$HOLD" --timeout 10s --concurrency 64 >"$file" 2>"$file.err" &
    local pid=$! peak=0 peak_pss=0
    # sample every second until the bench ends; keep the peak
    while kill -0 "$pid" 2>/dev/null; do
        during=$(rss_kib "$server")
        pss=$(rss_kib "$server" Pss)
        [ "$during" -gt "$peak" ] && peak=$during
        [ "$pss" -gt "$peak_pss" ] && peak_pss=$pss
        sleep 1
    done
    wait "$pid" || true
    [ -s "$file" ] || echo '{"mode":"idle","greeted":0,"requested":'"$IDLE"'}' >"$file"
    python3 - "$file" "$before" "$peak" "$peak_pss" "$server" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
r["rss_before_kib"] = int(sys.argv[2]); r["rss_kib"] = int(sys.argv[3]); r["pss_kib"] = int(sys.argv[4])
json.dump(r, open(sys.argv[1], "w"))
print(f"bench:   c6       {sys.argv[5]:<8} greeted {r['greeted']}/{r['requested']}, peak RSS {int(sys.argv[3])/1024:.1f} MiB, "
      f"PSS {int(sys.argv[4])/1024:.1f} MiB (RSS before {int(sys.argv[2])/1024:.1f})", file=sys.stderr)
EOF
    sleep 2
}

# drain_run SERVER ROUND: case 8. The queue is filled while the drain target is down, then
# the target comes up, the queue is flushed, and the time until nothing is left is measured.
drain_run() {
    local server=$1 round=$2 file queued sink start end
    file="$work/runs/c8.$server.$round.json"
    timeout 300 "$tern" bench --quiet --json --target "127.0.0.1:$(port_of "$server")" \
        --from bench@client.test --concurrency 50 --per-connection 10 --size 2KiB \
        --to x@drain.test --messages "$DRAIN" --duration 120s >"$file.fill" 2>"$file.err" || true
    queued=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("ok", 0))' "$file.fill" 2>/dev/null || echo 0)
    # Let the first (failed) delivery attempts settle: Tern tries and defers, Postfix defers.
    sleep 3
    # smtp-sink -c counts the messages it received: the drain is over when it has them all
    # (a cheap probe that does not load the server while it works).
    smtp-sink -c -u nobody -h drain.test "127.0.0.1:$drain_port" 4096 >"$work/drain.$server.$round.log" 2>&1 &
    sink=$!
    wait_port "$drain_port" 10 || die "smtp-sink (drain) did not start"
    start=$(date +%s.%N)
    if [ "$server" = tern ]; then
        "$tern" queue retry --domain drain.test --config "$work/tern/tern.toml" >/dev/null 2>&1 || true
    else
        postqueue -c "$pf/etc" -f
    fi
    local limit=$(( $(date +%s) + 300 )) got=0
    while [ "$(date +%s)" -lt "$limit" ]; do
        got=$(tail -c 400 "$work/drain.$server.$round.log" | tr '\r' '\n' | grep -o 'mesg=[0-9]*' | tail -n 1 | cut -d= -f2)
        [ "${got:-0}" -ge "$queued" ] && break
        sleep 0.05
    done
    end=$(date +%s.%N)
    kill "$sink" 2>/dev/null; wait "$sink" 2>/dev/null || true
    python3 - "$file" "$queued" "$start" "$end" "$server" <<'EOF'
import json, sys
f, queued, start, end, server = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
secs = max(end - start, 1e-3)
json.dump({"mode": "drain", "messages": queued, "seconds": secs, "messages_per_s": queued / secs}, open(f, "w"))
print(f"bench:   c8       {server:<8} drained {queued} messages in {secs:.2f} s: {queued / secs:,.1f} msg/s", file=sys.stderr)
EOF
}

fsync_before=$(fsync_rate)
say "disk: $fsync_before fsyncs/s (4 KiB append + fsync)"

# CASES="c1-50 c7" runs only those (the report then has only their rows).
read -r -a cases <<<"${CASES:-c1-1 c1-10 c1-50 c1-200 c2 c3-10 c3-50 c4-100k c4-1m c5 c7 c6 c8}"
args_of() { # CASE SERVER
    local d
    d=$(domain_of "$2")
    case $1 in
    c1-*) echo "--concurrency ${1#c1-} --per-connection 10 --size 2KiB --to x@discard.test --duration $DURATION" ;;
    c2) echo "--concurrency 10 --per-connection 1 --size 2KiB --to x@discard.test --duration $DURATION" ;;
    c3-*) echo "--concurrency ${1#c3-} --per-connection 10 --size 2KiB --to box@$d --duration $DURATION" ;;
    c4-100k) echo "--concurrency 4 --per-connection 10 --size 100KiB --to x@discard.test --duration $DURATION" ;;
    c4-1m) echo "--concurrency 4 --per-connection 10 --size 1MiB --to x@discard.test --duration $DURATION" ;;
    c5) echo "--concurrency 50 --per-connection 10 --size 2KiB --to x@relay.test --duration $DURATION" ;;
    c7) echo "--rate 50 --concurrency 4 --per-connection 10 --size 2KiB --to x@discard.test --duration $DURATION" ;;
    esac
}

for round in $(seq "$ROUNDS"); do
    say "round $round of $ROUNDS ($(( $(date +%s) - t0 ))s)"
    for c in "${cases[@]}"; do
        if [ $(( round % 2 )) = 1 ]; then order="tern postfix"; else order="postfix tern"; fi
        for server in $order; do
            if [ "$c" = c6 ]; then
                idle_run "$server" "$round"
            elif [ "$c" = c8 ]; then
                drain_run "$server" "$round"
            else
                # shellcheck disable=SC2046
                run "$c" "$server" "$round" $(args_of "$c" "$server")
            fi
        done
        if [[ $c == c1-* ]]; then
            # shellcheck disable=SC2046
            run "$c" sink "$round" $(args_of "$c" sink)
        fi
    done
done

fsync_after=$(fsync_rate)
say "disk: $fsync_after fsyncs/s at the end"

# --- the report ----------------------------------------------------------------------------

machine="$(nproc) vCPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)), \
$(free -g | awk '/^Mem:/ {print $2}') GiB RAM, Linux $(uname -r), \
$(df -T "$work" | awk 'NR == 2 {print $2 " on " $1}'); load average before the report: \
$(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$work/runs" "$ROUNDS" "$DURATION" "$IDLE" "$fd_limit" "$fsync_before" "$fsync_after" \
    "$machine" "$pf_version" "$QUICK" >"$RESULTS" <<'EOF'
import glob, json, os, statistics, sys
runs, rounds, duration, idle, fds, fs0, fs1, machine, pfv, quick = sys.argv[1:]
data = {}
for f in glob.glob(os.path.join(runs, "*.json")):
    case, server, rnd = os.path.basename(f)[:-5].rsplit(".", 2)
    data.setdefault((case, server), []).append(json.load(open(f)))

def med(case, server, get):
    vals = [get(r) for r in data.get((case, server), [])]
    vals = [v for v in vals if v is not None]
    return statistics.median(vals) if vals else None

mps = lambda r: r.get("messages_per_s")
mbs = lambda r: r.get("mb_per_s")
p50 = lambda r: r.get("latency_ms", {}).get("p50")
p99 = lambda r: r.get("latency_ms", {}).get("p99")
def unexpected(case, server):
    n = 0
    for r in data.get((case, server), []):
        n += sum(x["count"] for x in r.get("replies", [])) + sum(x["count"] for x in r.get("errors", []))
    return n

def fmt(v, unit=""):
    if v is None:
        return "—"
    if unit == "×":
        return f"{v:.2f}×"
    return f"{v:,.1f}{unit}" if isinstance(v, float) else f"{v:,}{unit}"

def ratio(a, b):
    return None if a is None or not b else a / b

out = []
p = out.append
p(f"Machine: {machine}. Postfix {pfv}. fd limit {fds}. Disk: {fs0} fsyncs/s before, {fs1} after "
  f"(4 KiB append + fsync). {rounds} round(s) of {duration} per run" + (" (QUICK)" if quick == "1" else "") + ".")
p("")
p("| case | Tern | Postfix | Tern / Postfix | smtp-sink | Tern p50 / p99 (ms) | Postfix p50 / p99 (ms) | unexpected replies (Tern / Postfix) |")
p("|---|---|---|---|---|---|---|---|")
names = {
    "c1-1": "1. durable accept, c=1", "c1-10": "1. durable accept, c=10",
    "c1-50": "1. durable accept, c=50", "c1-200": "1. durable accept, c=200",
    "c2": "2. 1 msg/connection, c=10", "c3-10": "3. Maildir, c=10", "c3-50": "3. Maildir, c=50",
    "c4-100k": "4. 100 KiB, c=4", "c4-1m": "4. 1 MiB, c=4", "c5": "5. relay to smtp-sink, c=50",
    "c7": "7. 50 tx/s open loop", "c8": "8. drain a full queue to smtp-sink",
}
for case, name in names.items():
    big = case.startswith("c4")
    get = mbs if big else mps
    unit = " MB/s" if big else " msg/s"
    t, f, s = med(case, "tern", get), med(case, "postfix", get), med(case, "sink", get)
    r = ratio(t, f)
    lat = lambda srv: f"{fmt(med(case, srv, p50))} / {fmt(med(case, srv, p99))}"
    p(f"| {name} | {fmt(t, unit)} | {fmt(f, unit)} | {fmt(r, '×')} | {fmt(s, unit) if s is not None else ''} "
      f"| {lat('tern')} | {lat('postfix')} | {unexpected(case, 'tern')} / {unexpected(case, 'postfix')} |")
for srv in ("tern", "postfix"):
    g = med("c6", srv, lambda r: r.get("greeted"))
    rss = med("c6", srv, lambda r: r.get("rss_kib"))
    pss = med("c6", srv, lambda r: r.get("pss_kib"))
    mib = lambda v: fmt(None if v is None else v / 1024, " MiB")
    p(f"| 6. {idle} idle connections, {srv} | greeted {fmt(g)} | | | | peak RSS {mib(rss)}, PSS {mib(pss)} | | |")
p("")

def target(label, ok, detail):
    p(f"- {label}: **{'met' if ok else 'MISSED'}** ({detail})")

p("Targets:")
t, f, s = med("c1-50", "tern", mps), med("c1-50", "postfix", mps), med("c1-50", "sink", mps)
r1, r2 = ratio(t, f), ratio(t, s)
target("case 1 at c=50 ≥ 10× Postfix", r1 is not None and r1 >= 10, f"{fmt(r1, '×')}")
target("case 1 at c=50 ≥ ½ smtp-sink", r2 is not None and r2 >= 0.5, f"{fmt(r2, '×')} of smtp-sink")
r = ratio(med("c2", "tern", mps), med("c2", "postfix", mps))
target("case 2 ≥ 5× Postfix", r is not None and r >= 5, fmt(r, "×"))
for c in ("c3-10", "c3-50"):
    r = ratio(med(c, "tern", mps), med(c, "postfix", mps))
    target(f"case 3 ({names[c][3:]}) ≥ 5× Postfix", r is not None and r >= 5, fmt(r, "×"))
for c in ("c4-100k", "c4-1m"):
    r = ratio(med(c, "tern", mbs), med(c, "postfix", mbs))
    target(f"case 4 ({names[c][3:]}) ≥ Postfix's MB/s", r is not None and r >= 1, fmt(r, "×"))
g = med("c6", "tern", lambda r: r.get("greeted"))
rss = med("c6", "tern", lambda r: r.get("rss_kib"))
target(f"case 6: all {idle} greeted", g is not None and g >= int(idle), f"{fmt(g)} greeted")
target("case 6: under 100 MiB RSS", rss is not None and rss < 100 * 1024, fmt(None if rss is None else rss / 1024, " MiB"))
l = med("c7", "tern", p99)
target("case 7: p99 under 1.5 ms", l is not None and l < 1.5, f"p99 {fmt(l, ' ms')}")
r = ratio(med("c5", "tern", mps), med("c5", "postfix", mps))
p(f"- issue 5, relay to smtp-sink at c=50: Tern / Postfix = {fmt(r, '×')} (no target)")
d = med("c8", "tern", mps)
r = ratio(d, med("c8", "postfix", mps))
target("case 8: drain ≥ 5× Postfix", r is not None and r >= 5, fmt(r, "×"))
a = med("c5", "tern", mps)
target("case 8: Tern drains at least as fast as it accepts relayed mail (case 5)",
       d is not None and a is not None and d >= a, f"drain {fmt(d, ' msg/s')}, accept {fmt(a, ' msg/s')}")
print("\n".join(out))
EOF
cat "$RESULTS"
say "results in $RESULTS"
