# The UDP chapter's tour (make demo). Servers use -p 0 so the demo never collides with a
# server you already run on 1060; the lecture's own commands are in udp/README.md.
. "$(dirname "$0")/lib.sh"

chapter "UDP: udp_local (a client and a server on localhost)"
start_server "terminal 1" udp ./udp_local server -p 0
run_client "terminal 2" udp ./udp_local client -p "$PORT"
run_client "terminal 2" udp ./udp_local client -p "$PORT"
stop_server

chapter "UDP: udp_remote (the server drops about half the datagrams; the client backs off)"
start_server "terminal 1" udp ./udp_remote server "" -p 0
run_client "terminal 2" udp ./udp_remote client 127.0.0.1 -p "$PORT"
run_client "terminal 2" udp ./udp_remote client 127.0.0.1 -p "$PORT"
stop_server
chapter "UDP: udp_remote with no server (a connected socket hears 'port unreachable')"
run_client "terminal 2" udp ./udp_remote client 127.0.0.1 -p "$PORT"

chapter "UDP: big_sender (the lecture's 999,999 bytes never fit; UDP's largest, 65,507, does)"
run_client "terminal 1" udp ./big_sender 127.0.0.1
run_client "terminal 1" udp ./big_sender -s 65507 127.0.0.1

chapter "UDP: udp_remote bound to \"\" answers from 127.0.0.1; a client of 127.0.0.2 drops it"
start_server "terminal 1" udp ./udp_remote server "" -p 0 -d 0
run_client "terminal 2" udp ./udp_remote client 127.0.0.2 -p "$PORT"
stop_server

chapter "UDP: udp_broadcast (loopback's broadcast address 127.255.255.255)"
start_server "terminal 1" udp ./udp_broadcast server "" -p 0
run_client "terminal 2" udp ./udp_broadcast client 127.255.255.255 -p "$PORT"
server_wait 'says:'
stop_server
