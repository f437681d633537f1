# make demo: a tour of every chapter on localhost. Each chapter's tour is demo/CHAPTER*.sh
# (demo/tcp.sh, demo/tcp_connections.sh, ...), run chapter by chapter in the lecture's order.
cd "$(dirname "$0")/.." || exit 1
status=0
for chapter in code udp tcp sntp; do
    for tour in demo/"$chapter"*.sh; do
        [ -f "$tour" ] || continue
        sh "$tour" || { status=1; echo "make demo: $tour stopped early" >&2; }
    done
done
if [ $status -eq 0 ]; then
    printf '\n######## End of the tour: every part ran. Each "(exit status N)" above is a program\n'
    printf '######## reporting the failure its lesson shows (a refused connection, a timeout, Ctrl+C).\n'
fi
exit $status
