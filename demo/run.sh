# make demo: a tour of every chapter on localhost. Each chapter's tour is demo/CHAPTER.sh;
# a new chapter adds its file here.
cd "$(dirname "$0")/.." || exit 1
status=0
for chapter in code udp tcp sntp; do
    [ -f "demo/$chapter.sh" ] || continue
    sh "demo/$chapter.sh" || status=1
done
exit $status
