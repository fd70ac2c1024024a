# Section 5 of bench/run, sourced by it (it uses bench/run's $bin, $baseline, $work, $rounds,
# say, timed, median and spread; bench/run's cleanup calls link_cleanup on every exit).
#
# Latency and loss: the bare baseline, `rdpsweep scan --retries 0` and `rdpsweep scan` with the
# default retries, each over a link of 50 ms round trip time with 1% loss and then with none,
# against `simulate --profile healthy` on 127.77.0.0/22 (1,024 hosts), concurrency 256,
# BENCH_ROUNDS rounds (the order of the three runs rotates between rounds). Reported: the wall
# time against the ideal, and the healthy hosts each run misclassifies.
#
# The ideal: a probe of a healthy host is 3 round trips (the TCP handshake; the X.224 request
# and confirm; the TLS 1.3 handshake, after which the client sends its Finished and waits for
# nothing; closing waits for nothing), so 3 x RTT x hosts / concurrency = 0.6 s.
#
# The link. This kernel has no netem, so bench/link-relay (a package of its own) joins two
# network namespaces made here: it creates two tun devices, down and without addresses, in this
# namespace; they are moved at once, one into each namespace; the relay writes every IP packet
# read from one device to the other 25 ms later, or drops it with probability p (a seeded
# generator per direction). The devices end with the relay.
#
# Addresses. `rdpsweep simulate` serves only loopback ranges, so every address on the link is
# in 127.0.0.0/8:
# - fleet namespace: lo up, its local route for 127.0.0.0/8 narrowed to the fleet's /22 (and
#   127.0.0.1), so that the client's 127.78.0.1 is not local there and is routed over the tun;
# - client namespace: lo stays down (so no local route for 127.0.0.0/8 exists), the tun device
#   holds 127.78.0.1/32 and the fleet's /22 is routed over it;
# - route_localnet=1 on the two tun devices, inside the namespaces only: without it the kernel
#   takes 127/8 on a device other than lo for martian and drops it.
# Why it is safe: each namespace is checked fresh (only its lo) when made, and before every run
# holds nothing but lo and its own tun device, with no default route; the relay writes only to
# its two devices; every packet on the link is 127/8 to 127/8, which any device without
# route_localnet (set nowhere else) drops. Namespaces, relay and fleet go on every exit.
#   BENCH_LINK_LOSS="0.01 0" BENCH_LINK_DELAY_MS=25 BENCH_LINK_SEED=1 BENCH_LINK_CONCURRENCY=256

link_range=127.77.0.0/22
link_hosts=1024
link_port=25005
link_client_addr=127.78.0.1
link_concurrency=${BENCH_LINK_CONCURRENCY:-256}
link_delay_ms=${BENCH_LINK_DELAY_MS:-25}
link_losses=${BENCH_LINK_LOSS:-0.01 0}
link_seed=${BENCH_LINK_SEED:-1}
link_round_trips=3
link_client=rdpsweep-link-$$-client
link_fleet=rdpsweep-link-$$-fleet
# Device names: at most 15 characters.
link_tun_client=rswl$$c
link_tun_fleet=rswl$$f
link_namespaces=""
link_fleet_pid=""
link_relay_pid=""
link_ideal=$(awk -v n="$link_round_trips" -v d="$link_delay_ms" -v h="$link_hosts" -v c="$link_concurrency" \
    'BEGIN { print n * 2 * d / 1000 * h / c }')

link_stop_relay() {
    if [ -n "$link_relay_pid" ]; then
        kill "$link_relay_pid" 2> /dev/null || true
        wait "$link_relay_pid" 2> /dev/null || true
        link_relay_pid=""
    fi
}

link_cleanup() {
    if [ -n "$link_fleet_pid" ]; then
        kill "$link_fleet_pid" 2> /dev/null || true
        wait "$link_fleet_pid" 2> /dev/null || true
        link_fleet_pid=""
    fi
    link_stop_relay
    local ns
    for ns in $link_namespaces; do ip netns delete "$ns" 2> /dev/null || true; done
    link_namespaces=""
}

# link_make_namespace NAME: makes it (fails if it exists) and refuses to go on unless it holds
# nothing but its own loopback.
link_make_namespace() {
    ip netns add "$1" 2> /dev/null || return 1
    link_namespaces="$link_namespaces $1"
    if [ "$(ip netns exec "$1" ip -o link show | wc -l)" -ne 1 ]; then
        echo "bench: network namespace $1 is not fresh: refusing to go on" >&2
        exit 1
    fi
}

# link_check NS DEV: refuses to go on unless NS holds exactly lo and DEV and has no default
# route, and DEV is no longer in this namespace.
link_check() {
    local links
    links=$(ip netns exec "$1" ip -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | sort | tr '\n' ' ')
    if [ "$links" != "$(printf '%s\n' lo "$2" | sort | tr '\n' ' ')" ] ||
        ip netns exec "$1" ip route show default | grep -q . ||
        ip link show "$2" > /dev/null 2>&1; then
        echo "bench: namespace $1 holds more than lo and $2 ($links), or has a default route: refusing to go on" >&2
        exit 1
    fi
}

# link_device NS DEV: IPv6 off (no router solicitations), 127/8 allowed, device up.
link_device() {
    ip netns exec "$1" sh -c "
        if [ -e /proc/sys/net/ipv6/conf/$2/disable_ipv6 ]; then echo 1 > /proc/sys/net/ipv6/conf/$2/disable_ipv6; fi
        echo 1 > /proc/sys/net/ipv4/conf/$2/route_localnet"
    ip netns exec "$1" ip link set "$2" up
}

# link_start_relay LOSS: starts the relay with LOSS; returns 1 (with the relay's words in
# $work/relay.err) when it cannot make its devices.
link_start_relay() {
    "$link_relay" "$link_tun_client" "$link_tun_fleet" "$link_delay_ms" "$1" "$link_seed" \
        > "$work/relay.out" 2> "$work/relay.err" &
    link_relay_pid=$!
    until grep -q "relay ready" "$work/relay.out" 2> /dev/null; do
        if ! kill -0 "$link_relay_pid" 2> /dev/null; then
            wait "$link_relay_pid" 2> /dev/null || true
            link_relay_pid=""
            return 1
        fi
        sleep 0.05
    done
}

# link_join: moves the relay's devices into the namespaces, gives addresses and routes, checks.
link_join() {
    ip link set "$link_tun_client" netns "$link_client"
    ip link set "$link_tun_fleet" netns "$link_fleet"
    link_device "$link_client" "$link_tun_client"
    ip netns exec "$link_client" ip addr add "$link_client_addr/32" dev "$link_tun_client"
    ip netns exec "$link_client" ip route add "$link_range" dev "$link_tun_client" src "$link_client_addr"
    link_device "$link_fleet" "$link_tun_fleet"
    ip netns exec "$link_fleet" ip route add "$link_client_addr/32" dev "$link_tun_fleet"
    link_check "$link_client" "$link_tun_client"
    link_check "$link_fleet" "$link_tun_fleet"
}

# link_scan_figures DIR: "TLS_OK RETRIES NOTE" of the scan written into DIR; the note says the
# final statuses other than tls=ok and how the first attempt of each retried host ended.
link_scan_figures() {
    python3 - "$1" << 'PY'
import collections, json, sys
out = sys.argv[1]
summary = json.load(open(out + "/summary.json"))
statuses = summary["by_status"]
others = ", ".join(f"{s} {n}" for s, n in sorted(statuses.items()) if s != "tls=ok")
first = collections.Counter()
for line in open(out + "/results.jsonl"):
    row = json.loads(line)
    if row.get("attempts", 1) > 1:
        first[(row.get("attempt_outcomes") or ["?"])[0]] += 1
notes = [f"not tls=ok: {others}"] if others else []
if first:
    how = ", ".join(f"{s} {n}" for s, n in sorted(first.items()))
    notes.append(f"retried {sum(first.values())} (first attempt: {how})")
print(statuses.get("tls=ok", 0), summary["scan"]["retries"], "; ".join(notes))
PY
}

say "== 5. latency and loss: $link_hosts healthy hosts ($link_range) over a link of $((2 * link_delay_ms)) ms RTT, loss $(for l in $link_losses; do awk -v l="$l" 'BEGIN { printf "%g%% ", l * 100 }'; done)(seed $link_seed), concurrency $link_concurrency, $rounds rounds; ideal $link_round_trips round trips x RTT x hosts / concurrency = ${link_ideal} s"
link_skip=""
if [ "$(id -u)" -ne 0 ]; then
    link_skip="tun devices and named network namespaces need root"
elif ! command -v ip > /dev/null 2>&1; then
    link_skip="no ip command (Debian package: iproute2)"
elif [ ! -c /dev/net/tun ]; then
    link_skip="no /dev/net/tun"
elif ! link_make_namespace "$link_client" || ! link_make_namespace "$link_fleet"; then
    link_skip="cannot create a network namespace (ip netns add failed)"
fi
if [ -z "$link_skip" ]; then
    cargo build --release --locked --quiet --manifest-path bench/link-relay/Cargo.toml \
        --target-dir target/link-relay
    cp target/link-relay/release/rdpsweep-link-relay "$work/link_relay"
    link_relay=$work/link_relay
    ip netns exec "$link_fleet" ip link set lo up
    ip netns exec "$link_fleet" ip route del table local 127.0.0.0/8 dev lo
    ip netns exec "$link_fleet" ip route add table local local "$link_range" dev lo
    ip netns exec "$link_fleet" "$bin" simulate --range "$link_range" --port "$link_port" --profile healthy \
        --quiet > "$work/link-fleet.out" 2>&1 &
    link_fleet_pid=$!
    until grep -q "fleet ready" "$work/link-fleet.out" 2> /dev/null; do
        kill -0 "$link_fleet_pid" 2> /dev/null || { echo "bench: the fleet of section 5 did not start:" >&2; cat "$work/link-fleet.out" >&2; exit 1; }
        sleep 0.1
    done
fi
for loss in $link_losses; do
    [ -z "$link_skip" ] || break
    if ! link_start_relay "$loss"; then
        link_skip="the relay cannot make its tun devices: $(cat "$work/relay.err")"
        break
    fi
    link_join
    pct=$(awk -v l="$loss" 'BEGIN { printf "%g%%", l * 100 }')
    for what in base r0 rd; do : > "$work/link-$loss-$what.walls"; : > "$work/link-$loss-$what.miss"; done
    retries_default=""
    for round in $(seq 1 "$rounds"); do
        case $(((round - 1) % 3)) in
        0) order="base r0 rd" ;;
        1) order="r0 rd base" ;;
        *) order="rd base r0" ;;
        esac
        for what in $order; do
            label=link-$loss-$what-$round
            note=""
            case $what in
            base)
                name="baseline"
                timed "$label" ip netns exec "$link_client" "$baseline" "$link_range" "$link_port" "$link_concurrency"
                ok=$(sed -n 's/.* \([0-9]*\) handshakes.*/\1/p' "$work/$label.out")
                ;;
            r0 | rd)
                retry_flag=""
                [ "$what" = r0 ] && retry_flag="--retries 0"
                # shellcheck disable=SC2086 # $retry_flag is zero or two words
                timed "$label" ip netns exec "$link_client" "$bin" scan "$link_range" -p "$link_port" --rate 1000000 \
                    --concurrency "$link_concurrency" $retry_flag -q -o "$work/$label"
                read -r ok retries note < <(link_scan_figures "$work/$label")
                [ -z "$note" ] || note="; $note"
                [ "$what" = rd ] && retries_default=$retries
                name="scan --retries $retries"
                ;;
            esac
            read -r wall _ < "$work/$label.fig"
            echo "$wall" >> "$work/link-$loss-$what.walls"
            echo $((link_hosts - ok)) >> "$work/link-$loss-$what.miss"
            awk -v p="$pct" -v r="$round" -v n="$name" -v w="$wall" -v i="$link_ideal" -v m=$((link_hosts - ok)) \
                -v h="$link_hosts" -v note="$note" \
                'BEGIN { printf "  loss %-3s round %d  %-17s %6.2f s = %4.1f x ideal, misclassified %d of %d%s\n", p, r, n, w, w / i, m, h, note }' |
                tee -a "$out"
        done
    done
    link_stop_relay
    say "loss $pct: $(grep '^relay .*packets' "$work/relay.out" | sed 's/^relay //' | paste -sd ';' | sed 's/;/; /')"
    for what in base r0 rd; do
        case $what in
        base) name="baseline" ;;
        r0) name="scan --retries 0" ;;
        rd) name="scan --retries ${retries_default:-?} (the default)" ;;
        esac
        walls=$(spread %.2f < "$work/link-$loss-$what.walls")
        med=$(median < "$work/link-$loss-$what.walls")
        miss=$(awk '{ s += $1 } END { print s }' "$work/link-$loss-$what.miss")
        awk -v p="$pct" -v n="$name" -v ws="$walls" -v m="$med" -v i="$link_ideal" -v miss="$miss" -v runs="$rounds" \
            -v h="$link_hosts" \
            'BEGIN { printf "loss %-3s %-30s wall min/median/max %s s, median %.1f x the ideal %.2f s; misclassified %d of %d healthy hosts in %d runs\n",
                     p, n, ws, m / i, i, miss, h * runs, runs }' | tee -a "$out"
    done
done
if [ -n "$link_skip" ]; then
    say "SKIP: $link_skip"
fi
link_cleanup
