# make demo: a tour of every chapter on localhost. Each chapter's tour is demo/CHAPTER*.sh
# (demo/tcp.sh, demo/tcp_connections.sh, ...), run chapter by chapter in the lecture's order.
cd "$(dirname "$0")/.." || exit 1
status=0
for chapter in code udp tcp sntp; do
    for tour in demo/"$chapter"*.sh; do
        [ -f "$tour" ] || continue
        sh "$tour" || status=1
    done
done
exit $status
