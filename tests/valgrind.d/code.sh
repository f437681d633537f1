# make valgrind, the network-information chapter (code/): programs with no peer, their
# normal runs and their error exits. Sourced by tests/valgrind.sh.
alone code "./local_machine_info"
alone code "./remote_machine_info localhost"
alone_no_dns code "./remote_machine_info nosuch.invalid"
alone code "./ip4_address_conversion ::1 127.1 192.168.0.1"
alone code "./ip4_address_conversion 127.0.0.1 300.1.2.3"
alone code "./finding_service_name"
alone code "./finding_service_name -a nosuch 1060"
alone code "./integer_conversion"
alone code "./integer_conversion 0x"
