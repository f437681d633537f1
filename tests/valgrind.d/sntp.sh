# tests/valgrind.sh, the SNTP chapter: both clients against this chapter's server.
pair sntp "./sntp_server 127.0.0.1" './sntp_client 127.0.0.1 -p $PORT -t 5'
pair sntp "./sntp_server 127.0.0.1" './sntp_time 127.0.0.1 -p $PORT'
alone sntp "./sntp_client 127.0.0.1 -p 9 -t 0.5"
