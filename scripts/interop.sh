#!/usr/bin/env bash
# Interoperability with real SMTP software, over loopback:
#
#   Python smtplib -> Tern   port smtp (SMTPUTF8, 8BITMIME) and submission (STARTTLS + AUTH);
#                            a refused recipient raises with 550 5.1.1
#   swaks -> Tern            port smtp, submission (STARTTLS + AUTH PLAIN), PIPELINING
#   Postfix -> Tern          a private Postfix instance relays to Tern (SMTP and sendmail input)
#   Tern -> Postfix          Tern relays by [[delivery.route]] to that Postfix, which delivers
#                            to a Maildir
#   Tern -> smtp-sink        Postfix's test server with its fault flags: accept, 5xx to RCPT
#                            (failed, one bounce quoting the reply), 4xx, 421, dropped connection
#                            (deferred)
#
# Every message must arrive byte for byte as sent, apart from the trace header fields the MTAs
# prepend (Return-Path, Delivered-To, Received, X-Original-To); Postfix's Maildir stores LF line
# ends, so that comparison is on LF.
#
# Needs root to install swaks and postfix when missing (apt) and to run Postfix. Uses the
# debug `tern` that `cargo test` built ($TERN_BIN overrides; built when missing). Everything
# lives in a temporary directory and is stopped and removed at exit (INTEROP_KEEP=1 keeps it).
# Ends with "interop: N passed, M failed" and exits non-zero when a check failed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
helper="$root/scripts/interop/mail.py"
t0=$(date +%s)
passed=0 failed=0
failures=()

say() { printf 'interop: %s\n' "$*"; }
die() { say "error: $*" >&2; exit 2; }
section() { printf '\n-- %s (%ss)\n' "$1" "$(( $(date +%s) - t0 ))"; }

# check NAME COMMAND...: runs the command, counts it, shows its last line or its whole output.
check() {
    local name=$1 out
    shift
    if out=$("$@" 2>&1); then
        passed=$((passed + 1))
        printf '  ok    %s%s\n' "$name" "${out:+: ${out##*$'\n'}}"
    else
        failed=$((failed + 1))
        failures+=("$name")
        printf '  FAIL  %s\n' "$name"
        printf '%s\n' "$out" | sed 's/^/        /'
    fi
}
py() { timeout 60 python3 "$helper" "$@"; }
fail() { printf '%s\n' "$*"; return 1; }
# contains FILE STRING...: FILE has every STRING
contains() {
    local file=$1
    shift
    for s in "$@"; do grep -q -a -F -e "$s" "$file" || fail "no \"$s\" in $file" || return 1; done
}

work="" tern_pid="" pf_started="" sink_pids=() finished=""
# At exit, however the script ends: stop everything, show the logs when a check failed, remove
# the sandbox, and end with the count (an early stop counts as one more failure).
cleanup() {
    local status=$?
    set +e
    if [ -n "$tern_pid" ] && kill -0 "$tern_pid" 2>/dev/null; then
        kill -TERM "$tern_pid"
        for _ in $(seq 100); do kill -0 "$tern_pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$tern_pid" 2>/dev/null && { say "tern ignored SIGTERM for 10s; killing it"; kill -KILL "$tern_pid"; }
        wait "$tern_pid" 2>/dev/null
    fi
    if [ -n "$pf_started" ]; then
        timeout 30 postfix -c "$work/postfix/etc" stop >/dev/null 2>&1 ||
            timeout 10 postfix -c "$work/postfix/etc" abort >/dev/null 2>&1
    fi
    for pid in "${sink_pids[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
    if [ -z "$finished" ]; then
        failed=$((failed + 1))
        failures+=("the script itself stopped early (exit status $status)")
    fi
    if [ "$failed" -gt 0 ]; then
        for log in "$work/tern/stderr" "$work/postfix/start.log" "$work/postfix/maillog" "$work/sinks.log"; do
            [ -s "$log" ] || continue
            section "${log#"$work"/} (last 30 lines)"
            tail -n 30 "$log" | sed 's/^/        /'
        done
    fi
    if [ "${INTEROP_KEEP:-0}" = 1 ]; then
        say "kept $work"
    elif [ -n "$work" ]; then
        rm -rf "$work"
    fi
    section "summary"
    for f in "${failures[@]}"; do say "failed: $f"; done
    say "took $(( $(date +%s) - t0 ))s"
    say "$passed passed, $failed failed"
    [ "$failed" -eq 0 ] || exit 1
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- what it needs -------------------------------------------------------------------------

install_missing() {
    local need=()
    command -v python3 >/dev/null || need+=(python3)
    command -v swaks >/dev/null || need+=(swaks)
    # swaks needs these for -tls; they are only "recommended" by the package
    perl -MIO::Socket::SSL -MNet::SSLeay -e1 2>/dev/null || need+=(libio-socket-ssl-perl libnet-ssleay-perl)
    { command -v postfix && command -v smtp-sink; } >/dev/null || need+=(postfix)
    command -v openssl >/dev/null || need+=(openssl)
    [ ${#need[@]} -eq 0 ] && return
    [ "$(id -u)" -eq 0 ] || die "missing ${need[*]}; run as root to install them"
    say "installing ${need[*]}"
    # "No configuration": the package must not set up and start a system Postfix on port 25
    printf '%s\n' 'postfix postfix/main_mailer_type select No configuration' \
        'postfix postfix/mailname string localhost' | debconf-set-selections
    timeout 300 apt-get update -qq
    DEBIAN_FRONTEND=noninteractive timeout 300 apt-get install -y -qq --no-install-recommends \
        "${need[@]}" >/dev/null
    # Should the package have started a system instance anyway, stop it.
    if [ -f /etc/postfix/main.cf ] && postfix status >/dev/null 2>&1; then
        postfix stop || true
    fi
}

[ "$(id -u)" -eq 0 ] || die "run as root: Postfix's master runs as root"
install_missing
getent group postdrop >/dev/null || groupadd --system postdrop
getent passwd postfix >/dev/null || useradd --system --no-create-home --home-dir /var/spool/postfix \
    --shell /usr/sbin/nologin postfix

if [ -n "${TERN_BIN:-}" ]; then
    tern=$TERN_BIN
else
    tern="${CARGO_TARGET_DIR:-$root/target}/debug/tern"
    if [ ! -x "$tern" ]; then
        say "building tern (debug)"
        (cd "$root" && cargo build --locked -p tern --quiet)
    fi
fi
[ -x "$tern" ] || die "no tern binary at $tern"
case $tern in /*) ;; *) tern="$PWD/$tern" ;; esac

# --- the sandbox ---------------------------------------------------------------------------

work=$(mktemp -d /tmp/tern-interop.XXXXXX)
chmod 755 "$work" # Postfix's daemons (user postfix) traverse it to their queue


# wait_port PORT SECONDS: until something listens on 127.0.0.1:PORT
wait_port() {
    local deadline=$(( $(date +%s) + $2 ))
    until (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; do
        [ "$(date +%s)" -lt "$deadline" ] || return 1
        sleep 0.1
    done
}

read -r pf_port sink_ok sink_hard sink_soft sink_421 sink_drop <<<"$(py free-ports 6)"
hard_reply="550 5.1.1 <user@hard.test>: Recipient address rejected: User unknown in virtual mailbox table"

# --- Tern ----------------------------------------------------------------------------------

section "starting tern ($tern)"
mkdir -p "$work/tern"
config="$work/tern/tern.toml"
cat >"$config" <<EOF
[server]
hostname = "mx.tern.test"
data_dir = "$work/tern/data"

[admin]
address = "127.0.0.1:0"

[[listener]]
kind = "smtp"
address = "127.0.0.1:0"

[[listener]]
kind = "submission"
address = "127.0.0.1:0"

[local]
domains = ["tern.test"]
mailboxes = ["postmaster", "alice", "bob", "carol", "someone"]

[delivery]
retry_initial = "10m"

[[delivery.route]]
domain = "pf.test"
host = "127.0.0.1:$pf_port"

[[delivery.route]]
domain = "ok.test"
host = "127.0.0.1:$sink_ok"

[[delivery.route]]
domain = "hard.test"
host = "127.0.0.1:$sink_hard"

[[delivery.route]]
domain = "soft.test"
host = "127.0.0.1:$sink_soft"

[[delivery.route]]
domain = "closing.test"
host = "127.0.0.1:$sink_421"

[[delivery.route]]
domain = "drop.test"
host = "127.0.0.1:$sink_drop"
tls = "none"
EOF
password="interop-$RANDOM$RANDOM"
printf '%s\n' "$password" | timeout 30 "$tern" user add alice@tern.test --password-stdin \
    --config "$config" >/dev/null
RUST_LOG=${TERN_LOG:-warn} "$tern" serve --config "$config" 2>"$work/tern/stderr" &
tern_pid=$!
smtp_port="" sub_port=""
for _ in $(seq 200); do
    smtp_port=$(sed -n 's/^tern: Smtp listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$work/tern/stderr")
    sub_port=$(sed -n 's/^tern: Submission listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$work/tern/stderr")
    [ -n "$smtp_port" ] && [ -n "$sub_port" ] && break
    kill -0 "$tern_pid" 2>/dev/null || break
    sleep 0.1
done
if [ -z "$smtp_port" ] || [ -z "$sub_port" ]; then
    cat "$work/tern/stderr" >&2
    die "tern serve did not report its listeners within 20s"
fi
say "tern: smtp 127.0.0.1:$smtp_port, submission 127.0.0.1:$sub_port"
mail="$work/tern/data/mail/tern.test"
msgs="$work/messages"
mkdir -p "$msgs"

check "tern queue list --json works while tern serve runs" \
    timeout 30 "$tern" queue list --json --config "$config"

# delivered_intact NAME MAILDIR SENT [--lf]: the message with SENT's token arrives as sent
delivered_intact() {
    local name=$1 dir=$2 sent=$3 lf=${4:-} token got
    token=$(basename "$sent" .eml)
    if got=$(py wait-maildir "$dir" "$token" --timeout 20 2>&1); then
        check "$name" py compare "$sent" "$got" $lf
    else
        check "$name" fail "$got"
    fi
}

# --- Python smtplib ------------------------------------------------------------------------

section "Python smtplib -> Tern"
py message "$msgs/smtplib-25.eml" --from 'jörg@example.test' --to bob@tern.test --token smtplib-25 --utf8-sender
check "smtplib: port smtp, SMTPUTF8 sender, 8BITMIME: accepted" \
    py smtplib --port "$smtp_port" --from 'jörg@example.test' --to bob@tern.test \
    --file "$msgs/smtplib-25.eml" --smtputf8
delivered_intact "smtplib: port smtp: Maildir byte-exact" "$mail/bob" "$msgs/smtplib-25.eml"

py message "$msgs/smtplib-587.eml" --from alice@tern.test --to bob@tern.test --token smtplib-587
check "smtplib: submission, STARTTLS + AUTH: accepted" \
    py smtplib --port "$sub_port" --starttls --user alice@tern.test --password "$password" \
    --from alice@tern.test --to bob@tern.test --file "$msgs/smtplib-587.eml"
delivered_intact "smtplib: submission: Maildir byte-exact" "$mail/bob" "$msgs/smtplib-587.eml"

check "smtplib: unknown local recipient raises 550 5.1.1" \
    py refused --port "$smtp_port" --from someone@example.test --to nobody@tern.test

# --- swaks ---------------------------------------------------------------------------------

section "swaks -> Tern"
# swaks always sends CRLF . CRLF after the data, so its data file is the message without its
# last CRLF: what arrives must then be the message exactly.
swaks_case() { # NAME TOKEN PORT swaks-options...
    local name=$1 token=$2 port=$3
    shift 3
    py message "$msgs/$token.eml" --from alice@tern.test --to carol@tern.test --token "$token"
    head -c -2 "$msgs/$token.eml" >"$msgs/$token.data"
    if timeout 60 swaks --server "127.0.0.1:$port" --helo client.interop.test \
        --from alice@tern.test --to carol@tern.test --data "@$msgs/$token.data" "$@" \
        >"$msgs/$token.swaks" 2>&1; then :; fi
    check "swaks: $name: 250 2.0.0 Ok: queued as" \
        grep -m1 -E '^<[-~] +250 2\.0\.0 Ok: queued as [0-9A-Z]+' "$msgs/$token.swaks"
    delivered_intact "swaks: $name: Maildir byte-exact" "$mail/carol" "$msgs/$token.eml"
}
swaks_case "port smtp" swaks-25 "$smtp_port"
swaks_case "port smtp, --pipeline" swaks-pipe "$smtp_port" --pipeline
swaks_case "submission, -tls, AUTH PLAIN" swaks-587 "$sub_port" \
    -tls --auth PLAIN --auth-user alice@tern.test --auth-password "$password"
# with --pipeline swaks writes MAIL, RCPT and DATA before it reads their replies
pipelined() { grep -A2 -E '^ -> MAIL FROM' "$1" | tr -d '\n' | grep -q -E 'MAIL FROM.* -> RCPT TO.* -> DATA$'; }
check "swaks: --pipeline sent MAIL, RCPT, DATA as one group" pipelined "$msgs/swaks-pipe.swaks"

timeout 60 swaks --server "127.0.0.1:$smtp_port" --from someone@example.test --to nobody@tern.test \
    --quit-after RCPT >"$msgs/swaks-refused.swaks" 2>&1 || true
check "swaks: unknown local recipient gets 550 5.1.1" \
    grep -m1 -E '^<\*\* +550 5\.1\.1' "$msgs/swaks-refused.swaks"

# --- Postfix -------------------------------------------------------------------------------

section "starting Postfix ($(postconf -d -h mail_version 2>/dev/null)) on 127.0.0.1:$pf_port"
pf="$work/postfix"
mkdir -p "$pf/etc" "$pf/queue" "$pf/data" "$pf/vmail"
chown 65534:65534 "$pf/vmail"
chown postfix "$pf/data"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=pf.test \
    -keyout "$pf/etc/key.pem" -out "$pf/etc/cert.pem" >/dev/null 2>&1
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
relay_domains = tern.test
transport_maps = inline:{ tern.test=smtp:[127.0.0.1]:$smtp_port }
virtual_mailbox_domains = pf.test
virtual_mailbox_base = $pf/vmail
virtual_mailbox_maps = inline:{ user@pf.test=user/ }
virtual_uid_maps = static:65534
virtual_gid_maps = static:65534
alias_maps =
alias_database =
smtp_dns_support_level = disabled
smtp_host_lookup = native
lmtp_host_lookup = native
smtp_tls_security_level = may
smtpd_tls_security_level = may
smtpd_tls_cert_file = $pf/etc/cert.pem
smtpd_tls_key_file = $pf/etc/key.pem
smtpd_tls_received_header = yes
notify_classes =
biff = no
append_dot_mydomain = no
delay_warning_time = 0
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
EOF
# Services without chroot (nothing is copied into the queue directory), SMTP on a high port.
cat >"$pf/etc/master.cf" <<EOF
127.0.0.1:$pf_port inet n - n - - smtpd
pickup    unix  n - n 60    1 pickup
cleanup   unix  n - n -     0 cleanup
qmgr      unix  n - n 300   1 qmgr
tlsmgr    unix  - - n 1000? 1 tlsmgr
rewrite   unix  - - n -     - trivial-rewrite
bounce    unix  - - n -     0 bounce
defer     unix  - - n -     0 bounce
trace     unix  - - n -     0 bounce
verify    unix  - - n -     1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n -     - proxymap
smtp      unix  - - n -     - smtp
relay     unix  - - n -     - smtp
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
pf_ready=""
if timeout 60 postfix -c "$pf/etc" start >"$pf/start.log" 2>&1; then
    pf_started=1
    wait_port "$pf_port" 20 && pf_ready=1
fi
check "postfix: private instance starts and listens" test -n "$pf_ready"
[ -n "$pf_ready" ] || sed 's/^/        /' "$pf/start.log" "$pf/maillog" 2>/dev/null || true

if [ -n "$pf_ready" ]; then
    section "Postfix -> Tern"
    py message "$msgs/postfix-smtp.eml" --from sender@pf.test --to someone@tern.test --token postfix-smtp
    check "postfix: accepts a message for someone@tern.test by SMTP" \
        py smtplib --port "$pf_port" --from sender@pf.test --to someone@tern.test \
        --file "$msgs/postfix-smtp.eml"
    delivered_intact "postfix -> tern (SMTP input): Maildir byte-exact" "$mail/someone" "$msgs/postfix-smtp.eml"

    py message "$msgs/postfix-sendmail.eml" --from 'jörg@pf.test' --to someone@tern.test \
        --token postfix-sendmail --utf8-sender
    check "postfix: sendmail -C accepts a message with UTF-8 headers" \
        timeout 30 /usr/sbin/sendmail -C "$pf/etc" -i -f sender@pf.test -- someone@tern.test \
        <"$msgs/postfix-sendmail.eml"
    delivered_intact "postfix -> tern (sendmail input, SMTPUTF8): Maildir byte-exact" \
        "$mail/someone" "$msgs/postfix-sendmail.eml"
    check "postfix -> tern: Postfix used STARTTLS (Tern's Received says so)" \
        grep -q -a -E 'using TLSv1\.[23]' "$(py wait-maildir "$mail/someone" postfix-smtp)"
    check "postfix -> tern: Postfix used SMTPUTF8 for the UTF-8 headers (Received: with UTF8SMTPS)" \
        grep -q -a -E 'with UTF8SMTPS? ' "$(py wait-maildir "$mail/someone" postfix-sendmail)"

    section "Tern -> Postfix"
    {
        py message "$msgs/tern-postfix.eml" --from alice@tern.test --to user@pf.test --token tern-postfix
        check "tern: submission accepts a message for user@pf.test" \
            py smtplib --port "$sub_port" --starttls --user alice@tern.test --password "$password" \
            --from alice@tern.test --to user@pf.test --file "$msgs/tern-postfix.eml"
        delivered_intact "tern -> postfix: Postfix's Maildir byte-exact (LF)" "$pf/vmail/user" \
            "$msgs/tern-postfix.eml" --lf
        got=$(py wait-maildir "$pf/vmail/user" tern-postfix 2>/dev/null || echo /dev/null)
        check "tern -> postfix: over STARTTLS (Postfix's Received says ESMTPS)" \
            grep -q -a -E 'with ESMTPS id' "$got"
        check "tern -> postfix: queue says delivered 250" \
            py queue-state "$tern" "$config" user@pf.test delivered --code 250
    }
fi

# --- smtp-sink -----------------------------------------------------------------------------

section "Tern -> smtp-sink with fault flags"
{
    sink() { # PORT flags...
        local port=$1
        shift
        smtp-sink -u nobody -h sink.test "$@" "127.0.0.1:$port" 16 >>"$work/sinks.log" 2>&1 &
        sink_pids+=($!)
    }
    sink "$sink_ok"
    sink "$sink_hard" -f RCPT -B "$hard_reply"
    sink "$sink_soft" -r RCPT
    sink "$sink_421" -Q RCPT
    sink "$sink_drop" -q DATA
    for p in "$sink_ok" "$sink_hard" "$sink_soft" "$sink_421" "$sink_drop"; do
        wait_port "$p" 10 || say "smtp-sink on $p did not start"
    done
    to=user@ok.test,user@hard.test,user@soft.test,user@closing.test,user@drop.test
    timeout 60 swaks --server "127.0.0.1:$sub_port" -tls --auth PLAIN --auth-user alice@tern.test \
        --auth-password "$password" --from alice@tern.test --to "$to" \
        --header "Subject: sink-faults" >"$msgs/sinks.swaks" 2>&1 || true
    check "tern: accepts one message for five smtp-sink destinations" \
        grep -m1 -E '^<~ +250 2\.0\.0 Ok: queued as' "$msgs/sinks.swaks"
    check "smtp-sink accepts: delivered 250" \
        py queue-state "$tern" "$config" user@ok.test delivered --code 250
    check "smtp-sink -f RCPT (550 5.1.1): failed with the sink's reply" \
        py queue-state "$tern" "$config" user@hard.test failed --code 550 --enhanced 5.1.1
    check "smtp-sink -r RCPT (450): deferred" \
        py queue-state "$tern" "$config" user@soft.test deferred --code 450
    check "smtp-sink -Q RCPT (421, disconnect): deferred" \
        py queue-state "$tern" "$config" user@closing.test deferred --code 421
    check "smtp-sink -q DATA (disconnect, no reply): deferred" \
        py queue-state "$tern" "$config" user@drop.test deferred
    bounce=""
    if bounce=$(py wait-maildir "$mail/alice" "Recipient address rejected: User unknown in virtual" 2>&1); then
        check "bounce to the sender quotes the sink's reply in the text and the DSN" \
            contains "$bounce" "$hard_reply" "Diagnostic-Code: smtp; $hard_reply"
        check "bounce is an RFC 3464 report from the null sender" \
            contains "$bounce" "Return-Path: <>" "report-type=\"delivery-status\"" "Action: failed"
        sleep 1
        check "exactly one bounce, and only for the permanent failure" \
            test "$(grep -l -a -F 'Final-Recipient:' "$mail/alice/new/"* | wc -l)" -eq 1
    else
        check "bounce to the sender for the permanent failure" fail "$bounce"
    fi
}

# --- shutdown ------------------------------------------------------------------------------

section "stopping tern"
# tern exits by itself, with status 0, within 15s of SIGTERM (not in `check`: that is a subshell)
stop_start=$(date +%s%N)
kill -TERM "$tern_pid" 2>/dev/null || true
for _ in $(seq 150); do kill -0 "$tern_pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$tern_pid" 2>/dev/null; then
    stop_result="still running 15s after SIGTERM"
else
    stop_status=0
    wait "$tern_pid" || stop_status=$?
    tern_pid=""
    stop_result="exit status $stop_status after $(( ($(date +%s%N) - stop_start) / 1000000 )) ms"
    [ "$stop_status" -eq 0 ] || stop_result="FAILED: $stop_result"
fi
check "tern serve: SIGTERM stops it with status 0" \
    bash -c 'echo "$1"; case $1 in exit\ status\ 0\ *) ;; *) exit 1 ;; esac' _ "$stop_result"
check "tern serve: no panic in its log" bash -c '! grep -a -i -n -m3 "panic" "$1"' _ "$work/tern/stderr"

finished=1 # the EXIT trap prints the summary
