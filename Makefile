# SPDX-License-Identifier: MIT
#
# nswg: wg-quick(8) for network namespaces.

PKG_CONFIG ?= pkg-config
PREFIX ?= /usr
DESTDIR ?=
SYSCONFDIR ?= /etc
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
CONFDIR ?= $(SYSCONFDIR)/wireguard
RUNSTATEDIR ?= /run
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/vendor-completions
DOCDIR ?= $(PREFIX)/share/doc/nswg

VERSION := 0.1.0
.DEFAULT_GOAL := all

CC ?= cc
CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter \
	-fno-strict-aliasing -D_FORTIFY_SOURCE=2 -fstack-protector-strong -MMD -MP
CPPFLAGS += -D_GNU_SOURCE -Iinclude -DNSWG_VERSION='"$(VERSION)"' -DNSWG_CONFDIR='"$(CONFDIR)"' \
	-DNSWG_RUNSTATEDIR='"$(RUNSTATEDIR)"' -DNSWG_SYSCONFDIR='"$(SYSCONFDIR)"'
LIBS_PKGS := libmnl inih

# SANITIZE=address,undefined (or any list of those two) instruments everything.
SANITIZE ?=
comma := ,
ifneq ($(SANITIZE),)
ifneq ($(filter-out address undefined,$(subst $(comma), ,$(SANITIZE))),)
$(error SANITIZE takes address and/or undefined, not `$(SANITIZE)')
endif
CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=$(SANITIZE)
endif

ifeq ($(V),1)
Q :=
quiet = @true
else
Q := @
quiet = @echo "  $(1)	$(2)"
endif

PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(LIBS_PKGS) 2>/dev/null)
PKG_LIBS = $(shell $(PKG_CONFIG) --libs $(LIBS_PKGS) 2>/dev/null)
CMOCKA_CFLAGS = $(shell $(PKG_CONFIG) --cflags cmocka 2>/dev/null)
CMOCKA_LIBS = $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null)

B := build
CORE_SRCS := src/util.c src/key.c src/curve25519.c src/config.c src/config_lex.c src/config_values.c src/config_file.c src/render.c \
	src/nl.c src/netns.c src/rtnl.c src/rtnl_msg.c src/wgnl.c src/uapi.c src/device.c src/show_fmt.c src/userspace.c src/daemon.c src/state.c src/dns.c src/resolve.c src/stats.c src/prefix.c \
	src/relay_spec.c src/socks.c src/kernel_wg.c
CORE_OBJS := $(CORE_SRCS:src/%.c=$(B)/%.o)
# The commands, one file each, and the machinery they share (tunnel, steps, teardown).
CMD_SRCS := src/cli.c src/tunnel.c src/steps.c src/teardown.c src/up.c src/down.c src/save.c src/reload.c src/reresolve.c \
	src/strip.c src/show.c src/exec.c src/nsview.c src/via.c src/pty.c src/privdrop.c \
	src/tunnel_relay.c src/relay_cmd.c src/relay_proc.c src/relay_loop.c src/relay_tcp.c src/relay_udp.c src/relay_socks.c
OBJS := $(CORE_OBJS) $(CMD_SRCS:src/%.c=$(B)/%.o)
UNIT_TESTS := $(patsubst tests/unit/%.c,$(B)/tests/%,$(wildcard tests/unit/test_*.c))

all: nswg man/nswg.8

# Paths are filled in from this Makefile's variables (at install time for
# the units and the completion, so that PREFIX given to install counts).
SUBST = sed -e 's|@VERSION@|$(VERSION)|g' -e 's|@CONFDIR@|$(CONFDIR)|g' -e 's|@BINDIR@|$(BINDIR)|g' \
	-e 's|@RUNSTATEDIR@|$(RUNSTATEDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' -e 's|@DOCDIR@|$(DOCDIR)|g' -e 's|@SYSTEMDUNITDIR@|$(SYSTEMDUNITDIR)|g'

man/nswg.8: man/nswg.8.in Makefile
	$(call quiet,GEN,$@)
	$(Q)$(SUBST) $< >$@

# Any Linux with the libraries and their pkg-config files builds nswg; make
# check installs them on Debian (tests/deps.sh).
have-build-deps:
	@for p in $(LIBS_PKGS); do $(PKG_CONFIG) --exists $$p || missing="$$missing $$p"; done; \
		if [ -n "$$missing" ]; then echo "nswg: $(PKG_CONFIG) finds no$$missing (on Debian: apt-get install libmnl-dev libinih-dev)" >&2; exit 1; fi

nswg: $(OBJS) | have-build-deps
	$(call quiet,LD,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $(OBJS) $(PKG_LIBS) -pthread

$(B)/%.o: src/%.c | have-build-deps
	@mkdir -p $(@D)
	$(call quiet,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(CFLAGS) -c -o $@ $<

$(B)/tests/%.o: tests/unit/%.c
	@mkdir -p $(@D)
	$(call quiet,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(CMOCKA_CFLAGS) $(CFLAGS) -Wno-missing-prototypes -c -o $@ $<

# The netlink tests script the kernel's side of the socket.
$(B)/tests/test_nl $(B)/tests/test_wgnl: LDFLAGS += -Wl,--wrap=mnl_socket_sendto -Wl,--wrap=recvmsg
# The lifecycle tests see which memory is wiped.
$(B)/tests/test_lifecycle: LDFLAGS += -Wl,--wrap=explicit_bzero -Wl,--wrap=__explicit_bzero_chk
# The daemon tests start a process whose leader exits before its thread.
$(B)/tests/test_daemon: LDFLAGS += -pthread
# The secrets tests search every block freed for a key.
$(B)/tests/test_secrets: LDFLAGS += -Wl,--wrap=free -Wl,--wrap=realloc

$(B)/tests/test_%: $(B)/tests/test_%.o $(CORE_OBJS)
	$(call quiet,LD,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(CMOCKA_LIBS)

# A test tool: prints a file's configuration as `wg showconf' would show it.
$(B)/tests/cfgdump: tests/lib/cfgdump.c $(CORE_OBJS)
	@mkdir -p $(@D)
	$(call quiet,LD,$@)
	$(Q)$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(CFLAGS) -Wno-missing-prototypes $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

# Test tools: a command with stderr a pipe nobody reads; a TIOCSTI injector.
$(B)/tests/closedpipe: tests/lib/closedpipe.c
	@mkdir -p $(@D)
	$(call quiet,LD,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $<

$(B)/tests/fanout: tests/lib/fanout.c
	@mkdir -p $(@D)
	$(call quiet,LD,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $<

$(B)/tests/tiocsti: tests/lib/tiocsti.c
	@mkdir -p $(@D)
	$(call quiet,LD,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $<

# And what a container's root sends to nswg's netlink sockets.
$(B)/tests/nlforge: tests/lib/nlforge.c
	@mkdir -p $(@D)
	$(call quiet,LD,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $<

# The fuzz harnesses, replayed over their corpora with the normal compiler,
# always with the address and undefined-behaviour sanitizers: a kept crash
# that is a misaligned read or explicit_bzero(NULL, 0) replays silently
# without them. The test corpus of configuration files seeds the config
# fuzzer too.
FUZZ_EXTRA_config := tests/corpus/good tests/corpus/bad
FUZZERS ?= $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
REPLAY_FLAGS := -std=gnu11 -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
$(B)/tests/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(CORE_SRCS) | have-build-deps
	@mkdir -p $(@D)
	$(call quiet,LD,$@)
	$(Q)$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(REPLAY_FLAGS) -o $@ $^ $(PKG_LIBS)

# The fault-injection build, a test tool: NSWG_FAULT=N:ERRNO fails the Nth
# request, NSWG_FAULT_SIGNAL=N:SIG raises SIG before it (include/stats.h).
FAULT_OBJS := $(OBJS:$(B)/%.o=$(B)/fault/%.o)
$(B)/fault/%.o: src/%.c | have-build-deps
	@mkdir -p $(@D)
	$(call quiet,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) -DNSWG_FAULT_INJECTION $(PKG_CFLAGS) $(CFLAGS) -c -o $@ $<

$(B)/fault/nswg: $(FAULT_OBJS)
	$(call quiet,LD,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $(FAULT_OBJS) $(PKG_LIBS) -pthread

# Seeds for the reply fuzzers, from nswg's own builders (committed).
$(B)/tests/seeds: tests/fuzz/seeds.c $(CORE_OBJS)
	@mkdir -p $(@D)
	$(call quiet,LD,$@)
	$(Q)$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(CFLAGS) -Wno-missing-prototypes $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

fuzz-seeds: $(B)/tests/seeds
	$(Q)$(B)/tests/seeds tests/fuzz/corpus $(wildcard tests/corpus/good/*.conf)

# libFuzzer builds: make fuzz [FUZZ_SECONDS=60] [FUZZERS=config]
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
$(B)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(CORE_SRCS)
	@mkdir -p $(@D)
	$(call quiet,FUZZCC,$@)
	$(Q)$(FUZZ_CC) $(CPPFLAGS) $(PKG_CFLAGS) $(FUZZ_FLAGS) -o $@ $^ $(PKG_LIBS)

fuzz: | deps-fuzz
	$(Q)$(MAKE) --no-print-directory $(FUZZERS:%=$(B)/fuzz/fuzz_%)
	$(Q)set -e; $(foreach f,$(FUZZERS),mkdir -p $(B)/fuzz/corpus-$(f); \
		$(B)/fuzz/fuzz_$(f) -max_total_time=$(FUZZ_SECONDS) -dict=tests/fuzz/$(f).dict \
		-artifact_prefix=$(B)/fuzz/ $(B)/fuzz/corpus-$(f) tests/fuzz/corpus/$(f) $(FUZZ_EXTRA_$(f));)

deps-%:
	@tests/deps.sh $*

# make check: every tier, after installing what it needs (as root).
check: | deps-build deps-unit deps-e2e deps-vm deps-lint deps-units deps-bench deps-deb
	$(Q)$(MAKE) --no-print-directory check-analyze check-shell check-unit check-fuzz-replay check-man check-install \
		check-units check-corpus check-hostile check-e2e check-valgrind check-bench check-mutants-quick check-vm \
		check-vm-systemd

# Mutants (tests/mutants/): each breaks one promise, and the tier it names
# must fail. All of them outside make check (about ten minutes; recorded in
# tests/mutants/README); a handful, one per kind of tier, in it.
MUTANTS_QUICK := 04-key-not-wiped.patch 10-secret-quoted.patch 01-dns-not-restored.patch 15-sigpipe-kills.patch
check-mutants: | deps-build deps-unit deps-e2e
	$(Q)tests/mutants/run.sh

check-mutants-quick:
	$(Q)tests/mutants/run.sh $(MUTANTS_QUICK)

# Static analysis, as wireguard-tools' make check does: clang's analyzer over
# every source file, any finding fails.
ANALYZE_CC ?= clang
check-analyze: | have-build-deps
	$(Q)printf '%s\n' $(CORE_SRCS) $(CMD_SRCS) | xargs -P "$$(nproc)" -I{} \
		$(ANALYZE_CC) --analyze -Xclang -analyzer-werror -std=gnu11 $(CPPFLAGS) $(PKG_CFLAGS) -o /dev/null {} && \
		echo "  ANALYZE	$(words $(CORE_SRCS) $(CMD_SRCS)) files: no finding"

# Every shell script of the tests and of contrib, at shellcheck's warning level.
SHELL_SCRIPTS = $(shell grep -rlE '^\#!.*/(ba|)sh|^\# shellcheck shell=' tests contrib .ci) contrib/completion/nswg.bash
check-shell:
	$(Q)shellcheck -x -S warning $(SHELL_SCRIPTS) && echo "  SHELLCHECK	$(words $(SHELL_SCRIPTS)) scripts: no warning"

# The man page, linted: any warning fails.
check-man: man/nswg.8
	$(Q)out=$$(mandoc -Tlint -Wwarning man/nswg.8; LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l man/nswg.8 2>&1 >/dev/null); \
		if [ -n "$$out" ]; then echo "$$out"; exit 1; fi; echo "  LINT	man/nswg.8: clean"

check-unit: $(UNIT_TESTS)
	$(Q)set -e; for t in $(UNIT_TESTS); do echo "  TEST	$$t"; $$t; done

check-fuzz-replay: $(FUZZERS:%=$(B)/tests/replay_%)
	$(Q)set -e; $(foreach f,$(FUZZERS),$(B)/tests/replay_$(f) tests/fuzz/corpus/$(f) \
		tests/fuzz/crashes/$(f) $(FUZZ_EXTRA_$(f));)

check-corpus: nswg $(B)/tests/cfgdump
	$(Q)tests/corpus/run.sh

# The end-to-end scenarios on this machine, with wireguard-go, in a sandbox.
# Malformed and hostile files: refused at once, one line each, nothing changed.
check-hostile: nswg $(B)/tests/measure
	$(Q)tests/corpus/hostile/run.sh

check-valgrind: nswg
	$(Q)tests/e2e/valgrind.sh

# Unit and end-to-end tiers again with address and undefined-behaviour
# sanitizers (leaks fail too), in a build of their own; the normal build is
# made again after.
check-sanitize:
	$(Q)$(MAKE) --no-print-directory clean-objs
	$(Q)$(MAKE) --no-print-directory SANITIZE=address,undefined check-unit check-fuzz-replay check-hostile check-e2e
	$(Q)$(MAKE) --no-print-directory clean-objs

clean-objs:
	$(RM) -r $(B)/*.o $(B)/*.d $(B)/tests $(B)/fault nswg

check-e2e: nswg $(B)/fault/nswg $(B)/tests/measure $(B)/tests/closedpipe $(B)/tests/tiocsti $(B)/tests/nlforge $(B)/tests/fanout
	$(Q)tests/e2e/run.sh
	$(Q)tests/e2e/demo.sh
	$(Q)tests/e2e/completion.sh

# Timings, never asserted: see tests/bench/run.sh.
$(B)/tests/measure: tests/bench/measure.c
	@mkdir -p $(@D)
	$(call quiet,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $<

bench: | deps-build deps-e2e deps-vm deps-bench
	$(Q)$(MAKE) --no-print-directory nswg $(B)/tests/measure $(B)/tests/fanout
	$(Q)tests/bench/run.sh

# Keeps make bench working: its smallest size, once, here only; the relay's
# table with one short run of each. No timing is judged; every nswg cell of
# the relay's table must hold a figure (a contender that failed shows -).
check-bench: nswg $(B)/tests/measure $(B)/tests/fanout
	$(Q)BENCH_VM=0 BENCH_RUNS=1 BENCH_SIZES=peers1 BENCH_OUT=$(B)/bench-smoke RELAY_RUNS=1 RELAY_SECONDS=1 \
		RELAY_SOCKS_N=100 tests/bench/run.sh >$(B)/bench-smoke.log 2>&1 || { cat $(B)/bench-smoke.log; exit 1; }
	$(Q)grep -q '^| peers1 | [0-9]' $(B)/bench-smoke/results.md && echo "ok - make bench, smallest size: a table came out"
	$(Q)grep -q '^| peers1 | [0-9.]* | [0-9.]* | [0-9.]*x |$$' $(B)/bench-smoke/via.md && \
		echo "ok - make bench, smallest size: --via beside it"
	$(Q)test "$$(grep -c '^| [^|]* | [^|]* | [0-9][.0-9]* (' $(B)/bench-smoke/relay.md)" = 8 || \
		{ cat $(B)/bench-smoke/relay.md; exit 1; }
	$(Q)echo "ok - make bench, the relay's table: a figure for nswg in each of its 8 rows"

# A Debian binary package, with Debian's own tools: the tree as git tracks
# it, contrib/debian copied into place as debian/, dpkg-buildpackage, then
# lintian (no error, no warning). The .deb lands in build/deb/.
DEB := $(B)/deb/nswg_$(VERSION)_$(shell dpkg --print-architecture 2>/dev/null).deb
deb: | deps-build deps-deb
	$(Q)rm -rf $(B)/deb && mkdir -p $(B)/deb/nswg-$(VERSION)
	$(Q)git ls-files -z | cpio -0pdm --quiet $(B)/deb/nswg-$(VERSION)
	$(Q)cp -r contrib/debian $(B)/deb/nswg-$(VERSION)/debian
	$(Q)cd $(B)/deb/nswg-$(VERSION) && dpkg-buildpackage -us -uc -b >../build.log 2>&1 || { tail -n 30 ../build.log; exit 1; }
	$(Q)lintian --fail-on error,warning --tag-display-limit 0 $(DEB) && echo "  DEB	$(DEB): lintian clean"

# The main job, end to end on loopback: see contrib/demo/demo.sh.
demo: | deps-build deps-e2e
	$(Q)$(MAKE) --no-print-directory nswg
	$(Q)contrib/demo/demo.sh

# Kernel WireGuard in a VM: Debian's kernel package under qemu.
check-vm: nswg $(B)/tests/cfgdump $(B)/fault/nswg $(B)/tests/measure $(B)/tests/closedpipe $(B)/tests/tiocsti $(B)/tests/nlforge $(B)/tests/fanout
	$(Q)tests/vm/run.sh

# systemd as PID 1 in a VM of Debian's packages: the units, make install, the package.
check-vm-systemd: nswg man/nswg.8
	$(Q)tests/vm/run.sh --systemd

INSTALLED := $(BINDIR)/nswg $(MANDIR)/man8/nswg.8 $(SYSTEMDUNITDIR)/nswg@.service $(SYSTEMDUNITDIR)/nswg.target \
	$(SYSTEMDUNITDIR)/nswg-reresolve@.service $(SYSTEMDUNITDIR)/nswg-reresolve@.timer \
	$(BASHCOMPDIR)/nswg $(ZSHCOMPDIR)/_nswg $(DOCDIR)/examples/nswg-example-app.service

install: nswg man/nswg.8
	@install -v -d "$(DESTDIR)$(BINDIR)" "$(DESTDIR)$(MANDIR)/man8" "$(DESTDIR)$(SYSTEMDUNITDIR)" \
		"$(DESTDIR)$(BASHCOMPDIR)" "$(DESTDIR)$(ZSHCOMPDIR)" "$(DESTDIR)$(DOCDIR)/examples"
	@install -v -m 0755 nswg "$(DESTDIR)$(BINDIR)/nswg"
	@install -v -m 0644 man/nswg.8 "$(DESTDIR)$(MANDIR)/man8/nswg.8"
	@install -v -m 0644 contrib/systemd/nswg.target contrib/systemd/nswg-reresolve@.timer "$(DESTDIR)$(SYSTEMDUNITDIR)/"
	@$(SUBST) contrib/systemd/nswg-reresolve@.service.in >"$(DESTDIR)$(SYSTEMDUNITDIR)/nswg-reresolve@.service"
	@$(SUBST) contrib/systemd/nswg@.service.in >"$(DESTDIR)$(SYSTEMDUNITDIR)/nswg@.service"
	@$(SUBST) contrib/systemd/nswg-example-app.service.in >"$(DESTDIR)$(DOCDIR)/examples/nswg-example-app.service"
	@$(SUBST) contrib/completion/nswg.bash >"$(DESTDIR)$(BASHCOMPDIR)/nswg"
	@$(SUBST) contrib/completion/nswg.zsh >"$(DESTDIR)$(ZSHCOMPDIR)/_nswg"
	@chmod -v 0644 "$(DESTDIR)$(SYSTEMDUNITDIR)/nswg@.service" "$(DESTDIR)$(SYSTEMDUNITDIR)/nswg-reresolve@.service" "$(DESTDIR)$(BASHCOMPDIR)/nswg" "$(DESTDIR)$(ZSHCOMPDIR)/_nswg" \
		"$(DESTDIR)$(DOCDIR)/examples/nswg-example-app.service"

uninstall:
	@rm -vf $(foreach f,$(INSTALLED),"$(DESTDIR)$(f)")
	@rmdir -v "$(DESTDIR)$(DOCDIR)/examples" "$(DESTDIR)$(DOCDIR)" 2>/dev/null || true

# make install into a scratch DESTDIR: exactly the files listed, and uninstall removes them.
check-install: nswg man/nswg.8
	$(Q)tests/install.sh

# The units, checked by systemd itself against an installed tree.
check-units: nswg man/nswg.8
	$(Q)tests/units.sh

clean:
	$(RM) -r $(B) nswg man/nswg.8

.PHONY: all deb demo bench fuzz-seeds check check-analyze check-shell check-mutants check-mutants-quick check-unit check-fuzz-replay check-man check-install check-units check-corpus check-hostile check-e2e check-valgrind check-bench check-sanitize clean-objs check-vm check-vm-systemd fuzz install uninstall clean have-build-deps
.SECONDARY:

-include $(OBJS:.o=.d) $(FAULT_OBJS:.o=.d) $(wildcard $(B)/tests/*.d)
