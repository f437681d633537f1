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
# bash's /dev/tcp as the client (the lecture uses telnet): it stays connected, as telnet
# does, until the server closes the connection, which it does at Ctrl+C.
printf '\n===== terminal 2: $ telnet localhost %s    (here: bash /dev/tcp)\n' "$PORT"
bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT && cat <&3 && echo 'Connection closed by foreign host.'" &
CLIENT_PID=$!
server_wait '^Connected by'
kill -INT "$SERVER_PID"                        # Ctrl+C
wait "$SERVER_PID"
status=$?
wait "$CLIENT_PID"
stop_server
echo "(exit status $status)"
start_server "terminal 1" code ./reuseaddr -p "$PORT"
kill -INT "$SERVER_PID"
wait "$SERVER_PID"
stop_server

chapter "Socket errors: hserror (a file fetched, then each stage's own error)"
start_server "terminal 1" tests ./http_responder reply \
    'HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n<h1>Hello</h1>\n'
run_client "terminal 2" code ./hserror --host localhost --port "$PORT" --file /index.html
# A name with an empty label (..): the resolver refuses it without asking DNS, so the tour
# sends no query and gives the same answer offline (the README uses nosuch.invalid).
run_client "terminal 2" code ./hserror --host nosuch..invalid --port "$PORT" --file /index.html
stop_server
run_client "terminal 2" code ./hserror --host localhost --port "$PORT" --file /index.html
start_server "terminal 1" tests ./http_responder reset 'HTTP/1.0 200 OK\r\n\r\nthe first half\n'
run_client "terminal 2" code ./hserror --host localhost --port "$PORT" --file /big.iso
stop_server
start_server "terminal 1" tests ./http_responder silent
run_client "terminal 2" code ./hserror --host localhost --port "$PORT" --file / --timeout 0.5
stop_server
start_server "terminal 1" tests ./http_responder trickle 'HTTP/1.0 200 OK\r\n\r\nslowly, slowly\n'
run_client "terminal 2" code ./hserror --host localhost --port "$PORT" --file / --timeout 1
stop_server
