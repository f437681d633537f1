# make valgrind: the "closed and half-open connections; streams like files" programs
# (sourced by tests/valgrind.sh, which defines pair and alone).
pair tcp "./tcp_closing server halfclose 127.0.0.1" './tcp_closing client halfclose 127.0.0.1 -p $PORT'
pair tcp "./tcp_closing server reset 127.0.0.1" './tcp_closing client reset 127.0.0.1 -p $PORT'
pair tcp "./tcp_closing server epipe 127.0.0.1" './tcp_closing client epipe 127.0.0.1 -p $PORT'
pair tcp "./tcp_file server 127.0.0.1" "./tcp_file client 127.0.0.1 -p \$PORT <<<'hello, streams'"
alone tcp "./tcp_keepalive client 127.0.0.1 -p 1 -k"
