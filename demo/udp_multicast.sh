# The UDP chapter's multicast tour (make demo), on loopback only: both ends name the
# loopback interface with -i 127.0.0.1, so the datagram never leaves this machine. Members
# on several hosts need the network-namespace lab (lab/README.md). The group's address is
# not a loopback one, so as root the tour runs in a network namespace of its own, with only
# lo up: not one datagram to 239.255.0.1 is seen outside it. Without root, on the host's lo.
if [ "$(id -u)" -eq 0 ] && [ -z "${DEMO_ISOLATED:-}" ] && unshare -n true 2>/dev/null; then
    DEMO_ISOLATED=1 exec unshare -n sh -c 'ip link set lo up && exec sh "$0"' "$0"
fi
. "$(dirname "$0")/lib.sh"

chapter "UDP: udp_multicast (a member of group 239.255.0.1 on loopback receives)"
start_server "terminal 1" udp ./udp_multicast server 239.255.0.1 -i 127.0.0.1 -p 0
run_client "terminal 2" udp ./udp_multicast client 239.255.0.1 -i 127.0.0.1 -p "$PORT"
server_wait 'says:'
stop_server
