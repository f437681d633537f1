# tests/valgrind.sh, the network-information chapter (code/), beyond code.sh: the socket
# option programs, hserror against tests/http_responder, and reuseaddr with one connection
# (it prints "Listening on port: N " as reuseaddr.py does, so the client reads the port itself).
alone code "./socket_timeout -t 0.1"
alone code "./socket_modes"
alone code "./modify_buff_size"
pair code "../tests/http_responder reply 'HTTP/1.0 200 OK\r\n\r\nhello'" './hserror --host 127.0.0.1 --port $PORT --file /'
pair code "./reuseaddr" '../tests/hostile_tcp 127.0.0.1 $(sed -n "s/^Listening on port: \([0-9]*\) $/\1/p" "$tmp/server.out") hangup'
