#!/usr/bin/env bash
# The layering rule of docs/design.md, checked: the sans-IO crates (tern-codes, tern-proto)
# depend on no async runtime, TLS, DNS or socket crate, and their code opens no socket and
# reads no clock; the server and the delivery side never import each other (they meet in the
# store and in the binary).
set -euo pipefail
cd "$(dirname "$0")/.."

forbidden_crates='^(tokio|tokio-[a-z-]+|mio|rustls|tokio-rustls|hickory-[a-z-]+|socket2|async-std|smol)$'
forbidden_code='TcpStream|TcpListener|UdpSocket|ToSocketAddrs|tokio|rustls|hickory|SystemTime::now|Instant::now|std::thread::sleep'
status=0

for crate in tern-codes tern-envelope tern-proto; do
    deps=$(cargo tree --locked -p "$crate" -e normal,build --prefix none --format '{p}' \
        | awk '{print $1}' | sort -u)
    bad=$(grep -E "$forbidden_crates" <<<"$deps" || true)
    if [ -n "$bad" ]; then
        echo "layering: $crate must not depend on: $(echo $bad)" >&2
        status=1
    fi
    src="crates/$crate/src"
    if hits=$(grep -rnE "$forbidden_code" "$src" --include='*.rs' | grep -vE '^\S+:\s*//'); then
        if [ -n "$hits" ]; then
            echo "layering: $crate source uses I/O or a clock:" >&2
            echo "$hits" >&2
            status=1
        fi
    fi
done

for pair in "tern-server tern-delivery" "tern-delivery tern-server" "tern-admin tern-server" "tern-admin tern-delivery"; do
    read -r crate other <<<"$pair"
    if cargo tree --locked -p "$crate" -e normal,build --prefix none --format '{p}' \
        | awk '{print $1}' | grep -qx "$other"; then
        echo "layering: $crate must not depend on $other" >&2
        status=1
    fi
    if hits=$(grep -rn "${other//-/_}" "crates/$crate/src" --include='*.rs' | grep -vE '^\S+:\s*//'); then
        if [ -n "$hits" ]; then
            echo "layering: $crate source names $other:" >&2
            echo "$hits" >&2
            status=1
        fi
    fi
done

if [ "$status" -eq 0 ]; then
    echo "layering: tern-codes, tern-envelope and tern-proto are free of I/O, runtime and clock dependencies;"
    echo "layering: tern-server and tern-delivery do not import each other, nor does tern-admin import them"
fi
exit "$status"
