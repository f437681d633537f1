# The TCP chapter's tour (make demo): tcp_sixteen (as root, drawn by tcp_watch --ladder
# too, and held by a silent client), tcp_deadlock with a count small enough not to deadlock
# and then one big enough (Ctrl+C after 1 s), and one of its cures moving the same 16 MB
# through the same server; then, with small buffers (-b 4096) and -w, the deadlock at 200000
# bytes with both sides' queues shown, and the cure. Servers use -p 0 so the demo never
# collides with a server you already run on 1060; the lecture's own commands are in README.md.
. "$(dirname "$0")/lib.sh"

chapter "TCP: tcp_sixteen (sixteen octets each way; the server listens on \"\", every address)"
start_server "terminal 1" tcp ./tcp_sixteen server "" -p 0
run_client "terminal 2" tcp ./tcp_sixteen client 127.0.0.1 -p "$PORT"
run_client "terminal 2" tcp ./tcp_sixteen client 127.0.0.2 -p "$PORT"
server_wait '^  Reply sent' 2
stop_server
chapter "TCP: tcp_watch --ladder: the same exchange on the wire (handshake, data, close)"
start_server "terminal 1" tcp ./tcp_sixteen server 127.0.0.1 -p 0
start_watch "$PORT"
run_client "terminal 2" tcp ./tcp_sixteen client 127.0.0.1 -p "$PORT"
server_wait '^  Reply sent'
show_watch
stop_server
chapter "TCP: tcp_sixteen with no server (connect() is refused: SYN, then RST-ACK)"
start_watch "$PORT"
run_client "terminal 2" tcp ./tcp_sixteen client 127.0.0.1 -p "$PORT"
show_watch
chapter "TCP: tcp_sixteen held by a connection that says nothing: the next client waits until it goes"
start_server "terminal 1" tcp ./tcp_sixteen server 127.0.0.1 -p 0
# bash's /dev/tcp holds the connection and says nothing until the demo hangs up for it.
heading "terminal 3" tcp "exec 3<>/dev/tcp/127.0.0.1/$PORT" "bash: connect, say nothing"
(cd tcp && exec timeout 20 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT
    until [ -e '$DEMO_TMP/hang-up' ]; do sleep 0.01; done
    exec 3>&-") &
HOLDER_PID=$!
server_wait '^  Socket peer'
(cd tcp && exec timeout 20 ./tcp_sixteen client 127.0.0.1 -p "$PORT") >"$DEMO_TMP/client" 2>&1 &
CLIENT_PID=$!
# The kernel completes its handshake (the listen backlog): it is connected, yet unanswered.
wait_lines "$DEMO_TMP/client" '^Client has been assigned'
heading "terminal 2" tcp "./tcp_sixteen client 127.0.0.1 -p $PORT" "connected: still waiting"
cat "$DEMO_TMP/client"
heading "terminal 3" tcp "exec 3>&-" "hang up"
touch "$DEMO_TMP/hang-up"
wait $HOLDER_PID $CLIENT_PID
printf '\n===== terminal 2 (tcp/): (now served)\n'
sed 1d "$DEMO_TMP/client"
server_wait '^  Reply sent' 1
stop_server

chapter "TCP: tcp_deadlock with 64 bytes (small enough to fit in the buffers: no deadlock)"
start_server "terminal 1" tcp ./tcp_deadlock server "" -p 0
run_client "terminal 2" tcp ./tcp_deadlock client 127.0.0.1 64 -p "$PORT"
server_wait '^  Socket closed' 1
chapter "TCP: tcp_deadlock with 16000000 bytes: both sides stop in send() (Ctrl+C after 1 s)"
run_interrupted 1 "terminal 2" tcp ./tcp_deadlock client 127.0.0.1 16000000 -p "$PORT"
server_wait '^  Socket closed' 2
chapter "TCP: tcp_deadlock_poll, a cure: 16 MB through the same server, sending and receiving together"
run_client "terminal 2" tcp ./tcp_deadlock_poll client 127.0.0.1 16000000 -p "$PORT"
server_wait '^  Socket closed' 3
stop_server

chapter "TCP: tcp_deadlock -w -b 4096 (small buffers): 200000 bytes deadlock; each side shows its queues (Ctrl+C after 2.2 s)"
start_server "terminal 1" tcp ./tcp_deadlock server "" -p 0 -w -b 4096
run_interrupted 2.2 "terminal 2" tcp ./tcp_deadlock client 127.0.0.1 200000 -p "$PORT" -w -b 4096
server_wait '^  Socket closed' 1
chapter "TCP: tcp_deadlock_poll -b 4096: the same 200000 bytes through the same small buffers"
run_client "terminal 2" tcp ./tcp_deadlock_poll client 127.0.0.1 200000 -p "$PORT" -b 4096
server_wait '^  Socket closed' 2
stop_server
