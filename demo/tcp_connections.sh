# The tour of "Closed and half-open connections; streams like files" (make demo). Servers use
# -p 0 so the demo never collides with a server you already run on 1060; the lecture's own
# commands are in tcp/README.md.
. "$(dirname "$0")/lib.sh"

chapter "TCP: tcp_closing halfclose (shutdown(SHUT_WR): the answer still comes back)"
start_server "terminal 1" tcp ./tcp_closing server halfclose 127.0.0.1 -p 0
run_client "terminal 2" tcp ./tcp_closing client halfclose 127.0.0.1 -p "$PORT"
server_wait '^  Socket closed'
stop_server

chapter "TCP: tcp_closing reset (an orderly close: recv() returns 0; an abortive one: ECONNRESET)"
start_server "terminal 1" tcp ./tcp_closing server reset 127.0.0.1 -p 0
start_watch "$PORT"
run_client "terminal 2" tcp ./tcp_closing client reset 127.0.0.1 -p "$PORT"
server_wait 'ECONNRESET'
show_watch
stop_server

chapter "TCP: tcp_closing epipe (the client leaves; the server's second send fails with EPIPE)"
start_server "terminal 1" tcp ./tcp_closing server epipe 127.0.0.1 -p 0
run_client "terminal 2" tcp ./tcp_closing client epipe 127.0.0.1 -p "$PORT"
server_wait '^  Socket closed'
stop_server

chapter "TCP: tcp_closing shutrd (after shutdown(SHUT_RD) recv() returns 0, yet Linux still queues what comes)"
start_server "terminal 1" tcp ./tcp_closing server shutrd 127.0.0.1 -p 0
run_client "terminal 2" tcp ./tcp_closing client shutrd 127.0.0.1 -p "$PORT"
server_wait '^  Socket closed'
stop_server

chapter "TCP: tcp_closing shared (after fork(): close() in one process ends nothing; shutdown(SHUT_RDWR) ends it)"
start_server "terminal 1" tcp ./tcp_closing server shared 127.0.0.1 -p 0
run_client "terminal 2" tcp ./tcp_closing client shared 127.0.0.1 -p "$PORT"
server_wait '^  Socket closed' 2
stop_server

chapter "TCP: tcp_file (the socket wrapped in stdio streams: one line, one answer)"
start_server "terminal 1" tcp ./tcp_file server 127.0.0.1 -p 0
heading "terminal 2" tcp "printf 'hello\\nstreams like files\\n' | ./tcp_file client 127.0.0.1 -p $PORT"
printf 'hello\nstreams like files\n' | (cd tcp && exec timeout 20 ./tcp_file client 127.0.0.1 -p "$PORT") 2>&1
server_wait '^  Socket closed'
stop_server

chapter "TCP: tcp_keepalive, two clients, one with -k (a server stopped with Ctrl+C still sends FIN to both)"
start_server "terminal 1" tcp ./tcp_keepalive server 127.0.0.1 -p 0
show_server_so_far "it serves both clients below at once"
(cd tcp && exec timeout 20 ./tcp_keepalive client 127.0.0.1 -p "$PORT" -k) >"$DEMO_TMP/client" 2>&1 &
CLIENT_PID=$!
wait_lines "$DEMO_TMP/client" '^Waiting in recv'
(cd tcp && exec timeout 20 ./tcp_keepalive client 127.0.0.1 -p "$PORT") >"$DEMO_TMP/client2" 2>&1 &
CLIENT2_PID=$!
wait_lines "$DEMO_TMP/client2" '^Waiting in recv'
server_wait 'on 2 connections$'
heading "terminal 2" tcp "./tcp_keepalive client 127.0.0.1 -p $PORT -k"
cat "$DEMO_TMP/client"
heading "terminal 3" tcp "./tcp_keepalive client 127.0.0.1 -p $PORT"
cat "$DEMO_TMP/client2"
lines1=$(wc -l <"$DEMO_TMP/client") lines2=$(wc -l <"$DEMO_TMP/client2")
# Ctrl+C: the server's kernel closes its sockets, and each client reads end of file.
stop_server "Ctrl+C with both clients connected"
wait $CLIENT_PID $CLIENT2_PID
printf '\n===== terminal 2 (tcp/): (after the server'"'"'s Ctrl+C)\n'
sed "1,${lines1}d" "$DEMO_TMP/client"
printf '\n===== terminal 3 (tcp/): (after the server'"'"'s Ctrl+C)\n'
sed "1,${lines2}d" "$DEMO_TMP/client2"
