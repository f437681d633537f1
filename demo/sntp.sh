# The network-time chapter's tour (make demo), offline: the chapter's own sntp_server on
# 127.0.0.1 stands in for pool.ntp.org, on a port the OS picks (-p 0; 123 needs root).
. "$(dirname "$0")/lib.sh"

chapter "SNTP: sntp_time and sntp_client ask this chapter's own server for the time"
start_server "terminal 1" sntp ./sntp_server -p 0
run_client "terminal 2" sntp ./sntp_time 127.0.0.1 -p "$PORT"
run_client "terminal 2" sntp ./sntp_client 127.0.0.1 -p "$PORT"
chapter "SNTP: sntp_raw builds the IP, UDP and NTP headers by hand, as scapy does (root or CAP_NET_RAW)"
run_client "terminal 2" sntp ./sntp_raw 127.0.0.1 -p "$PORT" -s
stop_server

chapter "SNTP: sntp_client -v with no server (it backs off, then gives up)"
run_client "terminal 2" sntp ./sntp_client 127.0.0.1 -p "$PORT" -t 1.5 -v

chapter "SNTP: a server on every address answers from the address each client asked at"
start_server "terminal 1" sntp ./sntp_server "" -p 0
run_client "terminal 2" sntp ./sntp_client 127.0.0.2 -p "$PORT"
stop_server
