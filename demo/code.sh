# The network-information chapter's tour (make demo): the notebook's first sections, each
# with the lecture's arguments. The lecture asks google.com for its addresses and
# pool.ntp.org for the time; the tour needs no internet and sends no DNS query: it asks
# localhost (/etc/hosts) and an address literal, and our own sntp_server on 127.0.0.1.
. "$(dirname "$0")/lib.sh"

chapter "Network information: local_machine_info (the host name, then every interface)"
run_client "terminal 1" code ./local_machine_info

chapter "Network information: remote_machine_info (the lecture: ./remote_machine_info google.com)"
run_client "terminal 1" code ./remote_machine_info localhost
run_client "terminal 1" code ./remote_machine_info ::1

chapter "Network information: ip4_address_conversion (text <-> packed bytes)"
run_client "terminal 1" code ./ip4_address_conversion
run_client "terminal 1" code ./ip4_address_conversion ::1 127.1 0x7f.1

chapter "Network information: finding_service_name (/etc/services; the port ranges)"
run_client "terminal 1" code ./finding_service_name
# One port of each range that /etc/services names (1060 and 50000 are in none: exit 1).
run_client "terminal 1" code ./finding_service_name ssh 1194 57000

chapter "Network information: integer_conversion (host and network byte order)"
run_client "terminal 1" code ./integer_conversion
run_client "terminal 1" code ./integer_conversion 1234

chapter "Network information: time_epochs (Unix time, NTP time and NTP's eras; one SNTP query)"
start_server "terminal 1" sntp ./sntp_server -p 0
run_client "terminal 2" code ./time_epochs 127.0.0.1 -p "$PORT"
stop_server
