# make test's last line, from bats' TAP report: how many tests ran, failed and were skipped,
# and the skips counted by their reason (the words before a colon or a parenthesis), the
# most common first: "make test: 427 tests, 0 failed, 68 skipped: 23 the lab needs root; ..."
/^(not )?ok / { tests++ }
/^not ok / { failed++ }
/^ok .* # skip/ {
    why = $0
    sub(/.* # skip */, "", why)
    sub(/ *[:(].*/, "", why)
    if (why == "") why = "no reason given"
    if (!(why in count)) reason[++reasons] = why
    count[why]++
    skipped++
}
END {
    line = sprintf("make test: %d tests, %d failed, %d skipped", tests, failed, skipped)
    for (shown = 0; shown < reasons; shown++) {
        best = 0
        for (i = 1; i <= reasons; i++)
            if (!(i in done) && (!best || count[reason[i]] > count[reason[best]])) best = i
        done[best] = 1
        line = line (shown ? "; " : ": ") count[reason[best]] " " reason[best]
    }
    print line
}
