# The line an EXPERIMENT comment marks, as a student finds it: the first code line after a
# comment that holds "EXPERIMENT" (and WORD, where a file has several), or the code line
# that such a comment ends. A marker "EXPERIMENT (change this value)" marks no line to
# comment out. A line the student has already commented out (// ...) still counts.
#     awk -v word=WORD -f tests/experiment_line.awk FILE        its number
#     awk -v all=1 -f tests/experiment_line.awk FILE            every marked line's number
function marks(comment) {
    return comment ~ /EXPERIMENT/ && comment !~ /EXPERIMENT \(change this value\)/ &&
        index(comment, word)
}
function found() { print NR; armed = 0; if (!all) exit }
in_comment {                                    # inside a /* ... */ of several lines
    comment = comment " " $0
    if (index($0, "*/")) { in_comment = 0; if (marks(comment)) armed = 1 }
    next
}
{
    start = index($0, "/*")
    before = start ? substr($0, 1, start - 1) : $0
    if (start && !index(substr($0, start), "*/")) {     # a comment begins here
        in_comment = 1; comment = substr($0, start); next
    }
    if (armed && $0 ~ /^[ \t]*\/\/[ \t]*[^ \t\/]/ && $0 !~ /EXPERIMENT/) {
        found(); next                           # the student has commented it out
    }
    if (before !~ /[^ \t]/ || $0 ~ /^[ \t]*\/\//) {     # a comment line or a blank one
        if (marks($0)) armed = 1
        next
    }
    if (armed || (start && marks(substr($0, start))))  # the marked line
        found()
}
