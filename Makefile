# Builds every lecture program next to its source (udp/udp_local.c -> udp/udp_local), so
# the lecture's commands work as written inside each folder: cd udp && ./udp_local server
# A new program is a new .c file in a chapter folder: no edit here. `make help` lists targets.

CFLAGS  ?= -O2 -g
WARNINGS = -std=c11 -Wall -Wextra -Wpedantic
CPPFLAGS += -Icommon

CHAPTERS = code udp tcp sntp
SOURCES  = $(wildcard $(addsuffix /*.c,$(CHAPTERS)))
HEADER   = common/socket_helpers.h
# Test-only programs (unit tests of the common header, hostile peers) live in tests/.
TEST_SOURCES = $(wildcard tests/*.c)

# Linux-only programs (REFERENCE.md, "Platforms"): on another system make skips each, saying why.
# (big_sender builds everywhere and says there that it cannot discover the MTU.)
# tests/platforms.sh builds with SYSTEM=other and the Linux-only names hidden, to check it.
SYSTEM ?= $(shell uname -s)
ifneq ($(SYSTEM),Linux)
WHY_tcp/tcp_watch     = it reads raw frames through AF_PACKET, a Linux socket family
WHY_tcp/tcp_keepalive = it sets TCP_KEEPIDLE, TCP_KEEPINTVL and TCP_KEEPCNT, Linux's keepalive knobs
WHY_tests             = the test suite runs on Linux only (network namespaces, /proc, ip)
SKIPPED = tcp/tcp_watch tcp/tcp_keepalive $(TEST_SOURCES:.c=)
endif
PROGRAMS      = $(filter-out $(SKIPPED),$(SOURCES:.c=))
TEST_PROGRAMS = $(filter-out $(SKIPPED),$(TEST_SOURCES:.c=))

# Only a program that includes <pthread.h> is linked with the threads library.
THREADED = $(basename $(shell grep -l 'include <pthread\.h>' $(SOURCES) $(TEST_SOURCES)))
$(THREADED): LDLIBS += -lpthread

# bats-core: the system's, else one installed from npm into .tools/ (git-ignored).
BATS = $(shell command -v bats 2>/dev/null || echo .tools/node_modules/bats/bin/bats)
BATS_FLAGS ?=
# Test files run side by side (bats --jobs, which needs GNU parallel); the tests of one
# file run one after another, since many wait on timeouts and measure them.
TEST_JOBS ?= 5
# The longest files start first, so that none is left running alone at the end.
SLOW_TESTS = tests/udp_remote.bats tests/lab.bats tests/tcp_deadlock.bats tests/hostile_tcp.bats \
             tests/sntp_client.bats tests/tcp_closing.bats
TEST_FILES = $(SLOW_TESTS) $(filter-out $(SLOW_TESTS),$(sort $(wildcard tests/*.bats)))
SANITIZE = -fsanitize=address,undefined,float-cast-overflow -fno-sanitize-recover=all \
           -fno-omit-frame-pointer

# Rebuild everything when the compiler or its flags change (make sanitize, make CC=clang):
# .build-flags holds the last command line and changes only when it does.
BUILD_LINE = $(CC) $(WARNINGS) $(CFLAGS) $(CPPFLAGS) $(LDFLAGS) $(LDLIBS)
$(shell echo '$(BUILD_LINE)' | cmp -s - .build-flags || echo '$(BUILD_LINE)' > .build-flags)

.PHONY: all test demo clean sanitize lint valgrind fuzz soak help bats bench mutate platforms
all: $(PROGRAMS) $(TEST_PROGRAMS)
	@$(foreach p,$(filter-out tests/%,$(SKIPPED)),echo "skipped $(p): $(WHY_$(p))";)
	@$(if $(filter tests/%,$(SKIPPED)),echo "skipped tests/*.c: $(WHY_tests)")

$(PROGRAMS) $(TEST_PROGRAMS): %: %.c $(HEADER) .build-flags
	$(CC) $(WARNINGS) $(CFLAGS) $(CPPFLAGS) $(LDFLAGS) -o $@ $< $(LDLIBS)

# A unit test that #includes a program's source depends on it too.
tests/sntp_convert_test: sntp/sntp_client.c
tests/sntp_raw_test: sntp/sntp_raw.c

# bats also writes its TAP into a report file, whatever it shows (pretty on a terminal, TAP
# in a pipe, which CI counts), and the last line counts the skipped tests by their reason.
test: all bats
	@if why=$$(bash tests/lab.sh check); then \
	  echo "make test: tests/lab.bats builds its two-host lab in namespaces of its own"; \
	else echo "make test: tests/lab.bats is skipped: $${why#lab.sh: }"; fi
	@jobs="--jobs $(TEST_JOBS) --no-parallelize-within-files"; \
	[ "$(TEST_JOBS)" -gt 1 ] || jobs=; \
	if [ -n "$$jobs" ] && ! command -v parallel >/dev/null; then jobs=; \
	  echo "make test: GNU parallel not found (sudo apt install parallel): one test file at a time"; fi; \
	report=$$(mktemp -d) || exit 1; \
	$(BATS) --help | grep -q -- --report-formatter && jobs="$$jobs --report-formatter tap --output $$report"; \
	$(BATS) $$jobs $(BATS_FLAGS) $(TEST_FILES); status=$$?; \
	[ ! -f $$report/report.tap ] || awk -f tests/skips.awk $$report/report.tap; \
	rm -rf $$report; exit $$status

bats:
	@command -v $(BATS) >/dev/null 2>&1 || [ -x $(BATS) ] || { \
	  if command -v npm >/dev/null 2>&1; then \
	    echo "bats not found: installing bats-core from npm into .tools/"; \
	    npm install --silent --prefix .tools bats >/dev/null || exit 1; \
	  else \
	    echo "bats (bats-core) is needed for the tests: sudo apt install bats"; exit 1; \
	  fi; }

demo: all
	@sh demo/run.sh

sanitize:
	SANITIZED_EDITS=1 $(MAKE) CFLAGS="-O1 -g $(SANITIZE)" LDFLAGS="$(SANITIZE)" test

# Assertions that can never fail mid-test (set -e ignores them): a bare `! cmd`, and an &&
# list of tests, `[ a ] && [ b ]`, whose first test is false. Tests write `run ! cmd`,
# `[ ... ]` on lines of their own, or `cmd && false`. Allowed: conditions (if !, ! cmd ||
# skip, a continued line), and either form as the last line of a test or function.
NEVER_FAILS = function report() { if (held) { print held; bad = 1 } held = "" } \
  FNR == 1 { report(); joined = 0 } ; held && /^}/ { held = ""; next } ; \
  held && /^[ \t]*(\#|$$)/ { next } ; held { report() } ; \
  !joined && !/\|\|/ && /^[ \t]*! / && !/&&/ { held = FILENAME ":" FNR ": a bare ! never fails: " $$0 } ; \
  !joined && !/\|\|/ && /^[ \t]*\[.*\] && \[/ { held = FILENAME ":" FNR ": fails only at its last test: " $$0 } ; \
  { joined = /(\||&&|\\)[ \t]*$$/ } ; END { report(); exit bad }

lint:
	@command -v cppcheck >/dev/null || { echo "lint needs cppcheck: sudo apt install cppcheck"; exit 1; }
	cppcheck --quiet --error-exitcode=1 --enable=warning,style,performance,portability \
	  --std=c11 --inline-suppr --suppress=missingIncludeSystem -Icommon $(SOURCES) $(TEST_SOURCES)
	@if command -v clang-tidy >/dev/null; then \
	  clang-tidy --quiet --warnings-as-errors='*' $(SOURCES) $(TEST_SOURCES) -- $(WARNINGS) -Icommon 2>/dev/null; \
	else echo "clang-tidy not installed (sudo apt install clang-tidy): skipped"; fi
	awk '$(NEVER_FAILS)' tests/*.bats tests/lib/*.bash
	bash tests/experiments.sh
	@! git grep -nE '^(<<<<<<<|>>>>>>>) ' || { echo "lint: merge conflict markers left in"; exit 1; }

valgrind: all
	@command -v valgrind >/dev/null || { echo "valgrind is needed: sudo apt install valgrind"; exit 1; }
	bash tests/valgrind.sh

# libFuzzer targets (clang), each run FUZZ_SECONDS from its seed corpus in fuzz/corpus/.
FUZZ_SECONDS ?= 60
fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) bash fuzz/run.sh

# Every server serves 1000 connections or 10,000 datagrams; its descriptors and memory stay flat.
# Then every program runs with every sequence of up to three words of its alphabet (make test
# runs a sample): never a crash, a sanitizer report or a usage error of more than two lines.
soak: all
	bash tests/soak.sh
	@bash tests/command_sweep.sh -n 0 -j 64 -t 150; status=$$?; [ $$status -ne 77 ] || status=0; exit $$status

# REFERENCE.md's Platforms, checked: a build as another system (Linux-only names hidden).
platforms:
	bash tests/platforms.sh

# Each mechanism the README promises, broken in turn (tests/mutations.sh): its tests must fail.
mutate: all
	bash tests/mutate.sh

# 1 GiB through tcp_deadlock's server with each of its cures, and a plain one-way copy; then
# chronyd as a client of sntp_server and of chronyd (peer delay, samples kept).
bench: tcp/tcp_deadlock tcp/tcp_deadlock_threads tcp/tcp_deadlock_poll tcp/tcp_deadlock_select \
       sntp/sntp_server tests/free_port
	@sh bench/tcp.sh
	@sh bench/sntp.sh

clean:
	rm -f $(PROGRAMS) $(TEST_PROGRAMS) .build-flags

help:
	@echo "make            build every program next to its source (elsewhere than Linux: the portable ones)"
	@echo "make test       build, then run the bats tests in tests/ (TEST_JOBS files at a time with GNU"
	@echo "                parallel; installs bats from npm if missing); its last line counts the tests"
	@echo "                skipped, by reason (most need root: sudo make test runs them)"
	@echo "make demo       a tour of every client/server pair on localhost"
	@echo "make sanitize   rebuild with AddressSanitizer + UndefinedBehaviorSanitizer (float-cast-overflow"
	@echo "                too) and run the tests"
	@echo "make valgrind   one exchange of every client/server pair under valgrind memcheck"
	@echo "make lint       cppcheck, clang-tidy where installed, no assertion in tests/ that cannot fail,"
	@echo "                and every EXPERIMENT line commented out builds warning-free at -O2"
	@echo "make fuzz       run each libFuzzer target in fuzz/ for FUZZ_SECONDS (default 60; needs clang)"
	@echo "make soak       every server serves 1000 clients (UDP: 10,000 datagrams): no fd or memory growth;"
	@echo "                every program run with every sequence of up to three words of its alphabet"
	@echo "make platforms  build as another system would (Linux-only names hidden): skips as REFERENCE.md says"
	@echo "make mutate     break each promised mechanism in turn (tests/mutations.sh): its tests must fail"
	@echo "make bench      time tcp_deadlock's cures moving 1 GiB on loopback, and a plain copy;"
	@echo "                chronyd's peer delay against sntp_server and against chronyd"
	@echo "make clean      remove the programs"
	@echo "Variables: CC, CFLAGS, LDFLAGS (e.g. make CC=clang), BATS_FLAGS (e.g. --filter backoff),"
	@echo "           TEST_JOBS (test files run at once, default 5)"
