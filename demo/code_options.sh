# The network-information chapter's tour, second half (make demo): socket options, modes
# and errors. reuseaddr listens on a port the OS picks (-p 0) instead of the lecture's 8282,
# and hserror fetches from tests/http_responder on 127.0.0.1: the tour needs no web server
# and no internet.
. "$(dirname "$0")/lib.sh"

chapter "Socket options: socket_timeout (none, then 100 s, then a recv() that times out)"
run_client "terminal 1" code ./socket_timeout

chapter "Socket options: modify_buff_size (ask for 4096 bytes: Linux reports twice that)"
run_client "terminal 1" code ./modify_buff_size

chapter "Socket modes: socket_modes (accept() non-blocking, then blocking with a 0.5 s timeout)"
run_client "terminal 1" code ./socket_modes

chapter "Socket options: reuseaddr (a connection, Ctrl+C, and a restart on the same port at once)"
start_server "terminal 1" code ./reuseaddr -p 0
PORT=$(sed -n 's/^Listening on port: \([0-9]*\) $/\1/p' "$DEMO_TMP/server")
# The lecture connects with telnet, which may not be installed; bash's /dev/tcp connects as
# well, and cat shows what comes until the server closes the connection, at its Ctrl+C.
heading "terminal 2" code "exec 3<>/dev/tcp/127.0.0.1/$PORT; cat <&3" "bash; or: telnet localhost $PORT"
(cd code && exec timeout 20 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT; cat <&3") 2>&1 &
CLIENT_PID=$!
server_wait '^Connected by'
stop_server "Ctrl+C while the client is connected: reuseaddr exits with status 0"
echo "(exit status $STOPPED_STATUS)"
wait "$CLIENT_PID"
start_server "terminal 1" code ./reuseaddr -p "$PORT"
stop_server "started again at once: it listens on the same port; then Ctrl+C"

chapter "Socket errors: hserror (a file fetched, then each stage's own error)"
start_server "terminal 1" tests ./http_responder reply \
    'HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n<h1>Hello</h1>\n'
run_client "terminal 2" code ./hserror --host localhost --port "$PORT" --file /index.html
# .invalid never resolves (RFC 6761). Online the name server says so ("Name or service not
# known"); offline the resolver gives up at once ("Temporary failure in name resolution").
run_client "terminal 2" code ./hserror --host nosuch.invalid --port "$PORT" --file /index.html
stop_server
run_client "terminal 2" code ./hserror --host localhost --port "$PORT" --file /index.html
start_server "terminal 1" tests ./http_responder reset 'HTTP/1.0 200 OK\r\n\r\nthe first half\n'
run_client "terminal 2" code ./hserror --host localhost --port "$PORT" --file /big.iso
stop_server
start_server "terminal 1" tests ./http_responder silent
run_client "terminal 2" code ./hserror --host localhost --port "$PORT" --file / --timeout 0.5
stop_server
# The trickled bytes end without a newline: saved into a file, they do not run into the
# error line, and cat shows them afterwards (echo ends the line).
start_server "terminal 1" tests ./http_responder trickle 'HTTP/1.0 200 OK\r\n\r\nslowly, slowly\n'
RESPONSE=$DEMO_TMP/response.txt
heading "terminal 2" code "./hserror --host localhost --port $PORT --file / --timeout 1 > $RESPONSE"
{ (cd code && exec timeout 20 ./hserror --host localhost --port "$PORT" --file / --timeout 1) \
    2>&1 >"$RESPONSE"; echo $? >"$DEMO_TMP/status"; } | as_on_screen
echo "(exit status $(cat "$DEMO_TMP/status"))"
heading "terminal 2" code "cat $RESPONSE; echo"
cat "$RESPONSE"; echo
stop_server
