# mutualize. GNU make.
#
#   make            build ./mutualize
#   make check      install missing packages, build, run every test
#   make test       the unit tests alone (no server), in seconds
#   make demo       install missing packages, build, run the demo on a private slapd
#   make fuzz       fuzz the file loader with libFuzzer for FUZZ_SECONDS (300)
#   make bench      time mutualize on BENCH_PEOPLE (100000) people on a private slapd,
#                   and its hashing of HASH_PEOPLE (1000) new accounts' passwords;
#                   import and adopt of ADOPT_PEOPLE (BENCH_PEOPLE) people
#   make install    PREFIX=/usr/local DESTDIR=

PREFIX	?= /usr/local
BINDIR	 = $(PREFIX)/bin
MANDIR	 = $(PREFIX)/share/man
DATADIR	 = $(PREFIX)/share/mutualize

CC	?= cc
WARN	 = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Werror
CFLAGS	?= -O2 -g
CPPFLAGS += -pthread -Iinclude -D_GNU_SOURCE -DTEMPLATES_DIR='"$(DATADIR)/templates"'
PKGS	 = ldap lber yaml-0.1 libcurl nettle
LIBS	 = -pthread $(shell pkg-config --libs $(PKGS) 2>/dev/null || \
	   echo -lldap -llber -lyaml -lcurl -lnettle) -lunistring -lcrypt
SAN	 = -fsanitize=address,undefined -fno-omit-frame-pointer \
	   -fno-sanitize-recover=all

SRCS	 = src/apply.c src/calls.c src/check.c src/conn.c src/connectors.c \
	   src/csv.c src/diag.c src/diff.c src/directory.c src/dn.c src/entry.c \
	   src/export.c src/files.c src/getters.c src/guard.c src/hashpool.c \
	   src/hmap.c src/http.c src/identity.c src/journal.c src/ldif.c \
	   src/load.c src/lock.c src/msg.c src/number.c src/people.c \
	   src/placeholder.c src/plan.c src/planjson.c src/policy.c \
	   src/progress.c src/read.c src/render.c src/run.c src/saved.c \
	   src/scim.c src/secret.c src/stop.c src/target.c \
	   src/svcconf.c src/template.c src/translit.c src/webhook.c \
	   src/welcome.c src/write.c src/xmem.c src/yaml.c src/removal.c
# Functional mailboxes: their keys, DNs and default services.
SRCS	+= src/mailbox.c
# The accounts the services bind with, and their password files.
SRCS	+= src/account.c
# The apply's decisions on a plan, apart from the LDAP that carries them out.
SRCS	+= src/batch.c src/lookup.c src/report.c src/save.c src/settle.c
# Whether a change that failed finds its work done already (replication).
SRCS	+= src/already.c
# People's dates: contracts and mandates, and what the plan says is coming.
SRCS	+= src/dates.c src/coming.c
# The diff's parts, which diff.c calls down to; they share include/differ.h.
SRCS	+= src/compare.c src/depart.c src/memberof.c src/members.c \
	   src/plan_ops.c src/plan_cut.c
# directory-config: the slapd configuration; they share include/dirconf.h.
SRCS	+= src/access.c src/dirconf.c src/dirent.c src/dirprint.c src/dirrepl.c \
	   src/slapdconf.c
# status: the health of the directory; they share include/status.h.
SRCS	+= src/csn.c src/lastapply.c src/status.c src/statusout.c
# The connectors' outbox: calls kept until a service took them.
SRCS	+= src/outbox.c src/outboxline.c src/outboxshow.c
# report: the counts per tenant for cost sharing; they share include/census.h.
SRCS	+= src/census.c src/censuscount.c src/censusout.c
# import and adopt: a directory made by other means, taken over.
SRCS	+= src/import.c src/importout.c src/ldifread.c src/adopt.c
HDRS	 = include/mutualize.h include/conn.h include/connectors.h \
	   include/loader.h include/run.h include/apply.h include/differ.h \
	   include/dirconf.h include/status.h include/outbox.h include/import.h
HDRS	+= include/census.h
UNIT	 = test_yaml test_load test_getters test_placeholder test_csv \
	   test_translit test_render test_diff test_plan test_ldif test_dn \
	   test_secret test_template test_directory test_connect test_progress \
	   test_guard test_number test_cli test_batch test_applywire test_rules \
	   test_account test_status test_already test_outbox test_dates \
	   test_mailbox test_census test_import
INTEG	 = test_apply test_trust test_overlays test_accounts test_replan \
	   test_validity test_review test_parts

# The shipped build and the sanitizer build of the same sources.
OBJS	 = $(SRCS:src/%.c=build/obj/%.o)
SOBJS	 = $(SRCS:src/%.c=build/san/%.o)

# The fuzzing build: clang's libFuzzer with the same sanitizers.
FUZZ_CC	 = clang-14
FUZZ_SAN = -fsanitize=fuzzer-no-link,address,undefined \
	   -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_SECONDS ?= 300
FOBJS	 = $(SRCS:src/%.c=build/fuzz/%.o)

# The benchmark's generator of syndicates and its bare libyaml parse.
BENCH_PEOPLE ?= 100000
HASH_PEOPLE ?= 1000
REPL_PEOPLE ?= 10000
ADOPT_PEOPLE ?= $(BENCH_PEOPLE)

# The stress test's overlay configurations, as tests/slapd.sh names them.
STRESS	 = memberof memberof+refint memberof-refint generated
BENCH	 = build/bench/gen build/bench/yamlparse build/bench/hashtime

all: mutualize

mutualize: build/obj/main.o build/libmutualize.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ build/obj/main.o build/libmutualize.a $(LIBS)

build/libmutualize.a: $(OBJS)
	rm -f $@
	$(AR) rcs $@ $(OBJS)

build/obj/%.o: src/%.c $(HDRS) | build/obj
	$(CC) -std=c11 $(WARN) $(CFLAGS) $(CPPFLAGS) -c -o $@ $<

build/san/%.o: src/%.c $(HDRS) | build/san
	$(CC) -std=c11 $(WARN) -O1 -g $(SAN) $(CPPFLAGS) -c -o $@ $<

build/san/libmutualize.a: $(SOBJS)
	rm -f $@
	$(AR) rcs $@ $(SOBJS)

# The sanitizer build of the program, run by the integration tests.
build/san/mutualize: build/san/main.o build/san/libmutualize.a
	$(CC) $(SAN) -o $@ build/san/main.o build/san/libmutualize.a $(LIBS)

build/san/test_%: tests/test_%.c tests/harness.h build/san/libmutualize.a
	$(CC) -std=c11 $(WARN) -O1 -g $(SAN) $(CPPFLAGS) -Itests -o $@ $< \
	    build/san/libmutualize.a $(LIBS) $$(pkg-config --libs cmocka)
$(INTEG:%=build/san/%): tests/integration.h

# The command line's tests compile main.c in, its main renamed.
build/san/test_cli: src/main.c include/run.h

# The apply against a server the test makes up: libldap's calls wrapped by the
# linker, each __wrap_ldap_* in the test.
WRAP	 = ldap_add_ext ldap_modify_ext ldap_delete_ext ldap_rename ldap_result \
	   ldap_msgid ldap_parse_result ldap_msgfree ldap_get_option \
	   ldap_abandon_ext ldap_search_ext_s
build/san/test_applywire: tests/test_applywire.c tests/harness.h \
    build/san/libmutualize.a
	$(CC) -std=c11 $(WARN) -O1 -g $(SAN) $(CPPFLAGS) -Itests -o $@ $< \
	    build/san/libmutualize.a $(WRAP:%=-Wl,--wrap=%) $(LIBS) \
	    $$(pkg-config --libs cmocka)

build/fuzz/%.o: src/%.c $(HDRS) | build/fuzz
	$(FUZZ_CC) -std=c11 $(WARN) -O1 -g $(FUZZ_SAN) $(CPPFLAGS) -c -o $@ $<

build/fuzz/fuzz_load: tests/fuzz/fuzz_load.c $(FOBJS)
	$(FUZZ_CC) -std=c11 $(WARN) -O1 -g $(subst fuzzer-no-link,fuzzer,$(FUZZ_SAN)) \
	    $(CPPFLAGS) -o $@ $< $(FOBJS) $(LIBS)

build/bench/gen: tests/bench/gen.c | build/bench
	$(CC) -std=c11 $(WARN) $(CFLAGS) -o $@ $<

build/bench/hashtime: tests/bench/hashtime.c | build/bench
	$(CC) -std=c11 $(WARN) $(CFLAGS) -D_GNU_SOURCE -o $@ $< -lcrypt

build/bench/yamlparse: tests/bench/yamlparse.c | build/bench
	$(CC) -std=c11 $(WARN) $(CFLAGS) $$(pkg-config --cflags yaml-0.1) -o $@ $< \
	    $$(pkg-config --libs yaml-0.1)

build/obj build/san build/fuzz build/bench:
	mkdir -p $@

deps:
	@sh tests/deps.sh

# The package step runs first and alone: the rest needs what it installs.
check: deps
	@$(MAKE) --no-print-directory check-run

check-run: mutualize $(UNIT:%=build/san/%) $(INTEG:%=build/san/%) build/san/mutualize \
    $(BENCH)
	mandoc -Tlint -W warning man/mutualize.1 man/mutualize.yaml.5 \
	    man/mutualize.templates.5 man/mutualize-operations.7
	sh tests/run-unit.sh $(UNIT:%=build/san/%)
	bash tests/run-integration.sh $(INTEG:%=build/san/%) tests/test_export.sh
	bash tests/test_fault.sh
	bash tests/test_files.sh
	MUTUALIZE_TEST_BIN=build/san/mutualize bash tests/test_access.sh
	MUTUALIZE_TEST_BIN=build/san/mutualize bash tests/test_schema.sh
	MUTUALIZE_TEST_BIN=build/san/mutualize bash tests/test_status.sh
	MUTUALIZE_TEST_BIN=build/san/mutualize bash tests/test_replication.sh
	MUTUALIZE_TEST_BIN=build/san/mutualize bash tests/test_removal.sh
	MUTUALIZE_TEST_BIN=build/san/mutualize bash tests/test_report.sh
	MUTUALIZE_TEST_BIN=build/san/mutualize bash tests/test_adopt.sh
	bash tests/bench/bench.sh -n 1000 -t 5 -p sha512-crypt
	bash tests/bench/adopt.sh -n 300 -t 5
	MUTUALIZE_STRESS_BIN=build/san/mutualize bash tests/stress.sh $(STRESS)

# The unit tests alone: no server, no package step.
test: $(UNIT:%=build/san/%)
	sh tests/run-unit.sh $(UNIT:%=build/san/%)

demo: deps
	@$(MAKE) --no-print-directory mutualize
	bash examples/demo.sh

# Minutes long at 100,000 people: not part of check, which runs it on 1,000.
bench: deps
	@$(MAKE) --no-print-directory mutualize $(BENCH)
	bash tests/bench/bench.sh -n $(BENCH_PEOPLE)
	bash tests/bench/report.sh -n $(BENCH_PEOPLE)
	bash tests/bench/adopt.sh -n $(ADOPT_PEOPLE)
	bash tests/bench/hashpool.sh -n $(HASH_PEOPLE)
	bash tests/bench/replication.sh -n $(REPL_PEOPLE)
	bash tests/stress.sh -n 3000 -t 10 -r 6 $(STRESS)

# The corpus starts from every tenants file of the tree and the inputs that
# once crashed the loader; it lives in build/fuzz/corpus and grows run by run.
# A crash leaves its input in build/fuzz/crash-*: add it to tests/data/fuzz/.
fuzz:
	@sh tests/deps.sh fuzz
	@$(MAKE) --no-print-directory build/fuzz/fuzz_load
	mkdir -p build/fuzz/corpus
	cp examples/*.yaml tests/data/*.yaml build/fuzz/corpus/
	for f in tests/data/fuzz/*; do [ ! -f "$$f" ] || cp "$$f" build/fuzz/corpus/; done
	build/fuzz/fuzz_load -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
	    -dict=tests/fuzz/yaml.dict -artifact_prefix=build/fuzz/ \
	    build/fuzz/corpus

install: mutualize
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7 \
	    $(DESTDIR)$(DATADIR)/templates \
	    $(DESTDIR)$(DATADIR)/examples
	install -m 755 mutualize $(DESTDIR)$(BINDIR)/mutualize
	install -m 644 man/mutualize.1 $(DESTDIR)$(MANDIR)/man1/mutualize.1
	install -m 644 man/mutualize.yaml.5 $(DESTDIR)$(MANDIR)/man5/mutualize.yaml.5
	install -m 644 man/mutualize.templates.5 \
	    $(DESTDIR)$(MANDIR)/man5/mutualize.templates.5
	install -m 644 man/mutualize-operations.7 \
	    $(DESTDIR)$(MANDIR)/man7/mutualize-operations.7
	install -m 644 templates/* $(DESTDIR)$(DATADIR)/templates/
	install -m 644 examples/sitiv.yaml $(DESTDIR)$(DATADIR)/examples/

clean:
	rm -rf build mutualize

.PHONY: all deps check check-run test demo bench fuzz install clean
.SECONDARY:
