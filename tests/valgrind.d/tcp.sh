# tests/valgrind.sh, the TCP chapter: one exchange of every pair under memcheck (the
# tcp_closing and tcp_file pairs are in tcp_connections.sh). tcp_keepalive's client waits
# as long as its server lives, so its server is checked with a client that hangs up;
# tcp_watch reads packets only as root.
pair tcp "./tcp_sixteen server 127.0.0.1" './tcp_sixteen client 127.0.0.1 -p $PORT'
pair tcp "./tcp_deadlock server 127.0.0.1" './tcp_deadlock client 127.0.0.1 64 -p $PORT'
pair tcp "./tcp_deadlock server 127.0.0.1" './tcp_deadlock_threads client 127.0.0.1 100000 -p $PORT'
pair tcp "./tcp_deadlock server 127.0.0.1" './tcp_deadlock_poll client 127.0.0.1 100000 -p $PORT'
pair tcp "./tcp_deadlock server 127.0.0.1" './tcp_deadlock_select client 127.0.0.1 100000 -p $PORT'
pair tcp "./tcp_keepalive server 127.0.0.1 -k" '../tests/hostile_tcp 127.0.0.1 $PORT hangup'
if [ "$(id -u)" -eq 0 ]; then
    alone tcp "./tcp_watch -p 1 -t 1"
fi
