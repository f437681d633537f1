# The UDP chapter's multicast tour (make demo), on loopback only: both ends name the
# loopback interface with -i 127.0.0.1, so the datagram never leaves this machine. Members
# on several hosts need the network-namespace lab (lab/README.md).
. "$(dirname "$0")/lib.sh"

chapter "UDP: udp_multicast (a member of group 239.255.0.1 on loopback receives)"
start_server "terminal 1" udp ./udp_multicast server 239.255.0.1 -i 127.0.0.1 -p 0
run_client "terminal 2" udp ./udp_multicast client 239.255.0.1 -i 127.0.0.1 -p "$PORT"
server_wait 'says:'
stop_server
